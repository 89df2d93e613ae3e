import { fallbackLanguage, locales } from './locales';
import type { Message, MessageKey, Params } from './types';

export type { Locale, Message, MessageKey, Params, PluralMessage } from './types';
export { fallbackLanguage, locales } from './locales';

/** Looks up a message by key and fills in its placeholders. */
export type TranslateFn = (key: MessageKey, params?: Params) => string;

/** A language's translate function together with the language it speaks. */
export interface Translator {
  /** The tag of the language in use, e.g. "de". */
  lang: string;
  t: TranslateFn;
}

/**
 * pickLanguage returns the first of the preferred tags that the apps have,
 * matching "de-AT" to "de" when there is no exact match, or the fallback.
 */
export function pickLanguage(
  preferred: readonly string[],
  available: readonly string[] = Object.keys(locales),
): string {
  const have = new Map(available.map((tag) => [tag.toLowerCase(), tag]));
  for (const wanted of preferred) {
    const tag = wanted.trim().toLowerCase();
    if (!tag) continue;
    const exact = have.get(tag);
    if (exact) return exact;
    const base = have.get(tag.split('-')[0] ?? '');
    if (base) return base;
  }
  return fallbackLanguage;
}

/**
 * detectLanguage chooses the language from the browser's preferences
 * (navigator.languages). A `?lang=xx` query parameter naming a shipped
 * language wins, so a screen can be pinned to one language.
 */
export function detectLanguage(
  nav: Pick<Navigator, 'languages' | 'language'> | undefined = globalThis.navigator,
  search: string = globalThis.location?.search ?? '',
): string {
  const pinned = new URLSearchParams(search).get('lang');
  const preferred = [
    ...(pinned ? [pinned] : []),
    ...(nav?.languages ?? []),
    ...(nav?.language ? [nav.language] : []),
  ];
  return pickLanguage(preferred);
}

const placeholder = /\{(\w+)\}/g;

/** createTranslator returns the translate function for one shipped language. */
export function createTranslator(lang: string): Translator {
  const locale = locales[lang] ?? locales[fallbackLanguage];
  const fallback = locales[fallbackLanguage];
  if (!locale || !fallback) throw new Error(`i18n: no messages for "${lang}"`);
  const plurals = new Intl.PluralRules(locale.tag);
  const numbers = new Intl.NumberFormat(locale.tag);

  const choose = (message: Message, params: Params | undefined): string => {
    if (typeof message === 'string') return message;
    const count = Number(params?.['count']);
    if (!Number.isFinite(count)) return message.other;
    return (
      message[`=${count}`] ?? message[plurals.select(count)] ?? message.other
    );
  };

  const t: TranslateFn = (key, params) => {
    const message = locale.messages[key] ?? fallback.messages[key];
    if (message === undefined) return key;
    return choose(message, params).replace(placeholder, (whole, name: string) => {
      const value = params?.[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? numbers.format(value) : value;
    });
  };

  return { lang: locale.tag, t };
}

const current = createTranslator(detectLanguage());

/** The language the apps speak in this browser. */
export const lang = current.lang;

/** t looks up a message in the browser's language; see createTranslator. */
export const t: TranslateFn = current.t;
