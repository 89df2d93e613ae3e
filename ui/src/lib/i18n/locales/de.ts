import type { Locale } from '../types';

export default {
  tag: 'de',
  name: 'Deutsch',
  messages: {
    'app.customer.title': 'Kaffeebar',
    'app.barista.title': 'Barista',
    'app.display.title': 'Kaffeebar: Bestellungen',
    'app.admin.title': 'Kaffeebar: Verwaltung',
    'shell.notReady': 'Diese Ansicht wird gerade eingerichtet.',

    'connection.connecting': 'Verbindung wird aufgebaut …',
    'connection.online': 'Verbunden. Aktualisierungen kommen live.',
    'connection.reconnecting': 'Offline. Verbindung wird wiederhergestellt …',
    'connection.retryIn': {
      one: 'Neuer Versuch in {count} Sekunde.',
      other: 'Neuer Versuch in {count} Sekunden.',
    },
    'connection.retryNow': 'Jetzt versuchen',

    'queue.drinks': {
      '=0': 'Keine Getränke in der Warteschlange',
      one: '{count} Getränk in der Warteschlange',
      other: '{count} Getränke in der Warteschlange',
    },
  },

  // --- customer app (phone) ---
  // --- end customer app ---

  // --- display app (overhead screen) ---
  // --- end display app ---

  // --- barista app (tablet) ---
  // --- end barista app ---

  // --- admin app ---
  // --- end admin app ---
} satisfies Locale;
