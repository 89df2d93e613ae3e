import { describe, expect, it } from 'vitest';
import {
  createTranslator,
  detectLanguage,
  fallbackLanguage,
  locales,
  pickLanguage,
  type Message,
} from '.';

const reference = locales[fallbackLanguage]!;
const others = Object.values(locales).filter((l) => l.tag !== fallbackLanguage);

function texts(message: Message): string[] {
  return typeof message === 'string' ? [message] : Object.values(message).filter((v) => v !== undefined);
}

function placeholders(message: Message): string[] {
  const names = new Set<string>();
  for (const text of texts(message)) {
    for (const m of text.matchAll(/\{(\w+)\}/g)) names.add(m[1]!);
  }
  return [...names].sort();
}

describe('translations', () => {
  it('registers each language under its own tag', () => {
    for (const [key, locale] of Object.entries(locales)) expect(locale.tag).toBe(key);
  });

  it.each(others.map((l) => [l.tag, l] as const))('%s has every English key and no others', (_, locale) => {
    const want = Object.keys(reference.messages).sort();
    expect(Object.keys(locale.messages).sort()).toEqual(want);
  });

  it.each(Object.values(locales).map((l) => [l.tag, l] as const))(
    '%s uses the same placeholders and has every plural form its language needs',
    (_, locale) => {
      const categories = new Intl.PluralRules(locale.tag).resolvedOptions().pluralCategories;
      for (const [key, message] of Object.entries(locale.messages)) {
        const english = reference.messages[key as keyof typeof reference.messages];
        expect(placeholders(message), key).toEqual(placeholders(english));
        expect(typeof message, `${key} plural or not`).toBe(typeof english);
        if (typeof message === 'string') {
          expect(message.trim(), key).not.toBe('');
          continue;
        }
        for (const category of categories) {
          expect(message[category], `${locale.tag} ${key} needs "${category}"`).toBeTypeOf('string');
        }
      }
    },
  );
});

describe('pickLanguage', () => {
  const available = ['en', 'de'];
  it.each([
    [['de-DE', 'en'], 'de'],
    [['DE'], 'de'],
    [['fr-FR', 'de-AT'], 'de'],
    [['en-GB', 'de'], 'en'],
    [['fr', 'es'], 'en'],
    [[], 'en'],
    [['', ' '], 'en'],
  ])('%j gives %s', (preferred, want) => {
    expect(pickLanguage(preferred, available)).toBe(want);
  });
});

describe('detectLanguage', () => {
  it('follows navigator.languages in order', () => {
    expect(detectLanguage({ languages: ['fr', 'de-CH', 'en'], language: 'fr' }, '')).toBe('de');
  });
  it('uses navigator.language when languages is empty', () => {
    expect(detectLanguage({ languages: [], language: 'de-DE' }, '')).toBe('de');
  });
  it('lets ?lang= pin a shipped language', () => {
    expect(detectLanguage({ languages: ['en'], language: 'en' }, '?lang=de')).toBe('de');
    expect(detectLanguage({ languages: ['de'], language: 'de' }, '?lang=xx')).toBe('de');
  });
  it('falls back to English without a navigator', () => {
    expect(detectLanguage(undefined, '')).toBe('en');
  });
});

describe('createTranslator', () => {
  const en = createTranslator('en');
  const de = createTranslator('de');

  it('looks strings up by key', () => {
    expect(en.t('app.barista.title')).toBe('Barista');
    expect(de.t('app.customer.title')).toBe('Kaffeebar');
  });

  it('chooses plural forms with Intl.PluralRules and exact counts first', () => {
    expect(en.t('queue.drinks', { count: 0 })).toBe('No drinks in the queue');
    expect(en.t('queue.drinks', { count: 1 })).toBe('1 drink in the queue');
    expect(en.t('queue.drinks', { count: 2 })).toBe('2 drinks in the queue');
    expect(de.t('connection.retryIn', { count: 1 })).toBe('Neuer Versuch in 1 Sekunde.');
    expect(de.t('connection.retryIn', { count: 5 })).toBe('Neuer Versuch in 5 Sekunden.');
  });

  it('formats numbers for the language', () => {
    expect(en.t('queue.drinks', { count: 1200 })).toBe('1,200 drinks in the queue');
    expect(de.t('queue.drinks', { count: 1200 })).toBe('1.200 Getränke in der Warteschlange');
  });

  it('uses the "other" form without a count and leaves unknown placeholders visible', () => {
    expect(en.t('connection.retryIn')).toBe('Trying again in {count} seconds.');
  });

  it('falls back to English for an unknown language', () => {
    expect(createTranslator('xx').lang).toBe('en');
    expect(createTranslator('xx').t('app.admin.title')).toBe('Coffee bar admin');
  });
});
