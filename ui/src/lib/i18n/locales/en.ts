import type { Message } from '../types';

// English is the reference language: it defines every key, and the apps fall
// back to it for anything missing elsewhere.
const messages = {
  'app.customer.title': 'Coffee bar',
  'app.barista.title': 'Barista',
  'app.display.title': 'Coffee bar orders',
  'app.admin.title': 'Coffee bar admin',
  'shell.notReady': 'This screen is being set up.',

  'connection.connecting': 'Connecting…',
  'connection.online': 'Connected. Updates are live.',
  'connection.reconnecting': 'Offline. Reconnecting…',
  'connection.retryIn': {
    one: 'Trying again in {count} second.',
    other: 'Trying again in {count} seconds.',
  },
  'connection.retryNow': 'Try now',

  'queue.drinks': {
    '=0': 'No drinks in the queue',
    one: '{count} drink in the queue',
    other: '{count} drinks in the queue',
  },

  // --- customer app (phone) ---
  // --- end customer app ---

  // --- display app (overhead screen) ---
  // --- end display app ---

  // --- barista app (tablet) ---
  // --- end barista app ---

  // --- admin app ---
  // --- end admin app ---
} satisfies Record<string, Message>;

export default { tag: 'en', name: 'English', messages };
