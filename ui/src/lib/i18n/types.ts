import type en from './locales/en';

/**
 * A message with plural forms. `other` is required; the other keys are the
 * plural categories of Intl.PluralRules ("zero", "one", "two", "few", "many")
 * or an exact count such as "=0", which wins over the category.
 */
export type PluralMessage = { other: string } & {
  [form in Intl.LDMLPluralRule | `=${number}`]?: string;
};

/** One translated string: plain text or plural forms, with `{name}` placeholders. */
export type Message = string | PluralMessage;

/** Every message key the apps may look up; English defines the set. */
export type MessageKey = keyof (typeof en)['messages'];

/** Values for a message's `{name}` placeholders; `count` also picks the plural form. */
export type Params = Record<string, string | number>;

/** One language: its BCP 47 tag, its own name for itself, and every message. */
export interface Locale {
  tag: string;
  name: string;
  messages: Record<MessageKey, Message>;
}
