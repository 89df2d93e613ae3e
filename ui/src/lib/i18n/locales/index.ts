import type { Locale } from '../types';
import de from './de';
import en from './en';

/**
 * Every language the apps ship, keyed by tag. To add a language, add its file
 * beside this one and one line here.
 */
export const locales: Record<string, Locale> = {
  en,
  de,
};

/** The language used when the browser asks for none we have, and for missing keys. */
export const fallbackLanguage = 'en';
