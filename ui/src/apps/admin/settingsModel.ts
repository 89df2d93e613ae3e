/**
 * The settings form's model: every setting of the bar's rules with its range
 * and meaning (docs/order-core.md, Settings), as the kiosk checks them.
 */
import type { MessageKey } from '../../lib/i18n';
import type { Settings } from '../../lib/staff/types';

/** One setting: its range, its unit, and the words that explain it. */
export interface SettingInfo {
  key: keyof Settings;
  min: number;
  max: number;
  unit: 'seconds' | 'drinks' | 'orders';
  label: MessageKey;
  help: MessageKey;
}

/** Every setting, in the order of the form. */
export const settingsInfo: readonly SettingInfo[] = [
  { key: 'qrPeriodSeconds', min: 30, max: 3600, unit: 'seconds', label: 'admin.settings.qrPeriodSeconds', help: 'admin.settings.qrPeriodSeconds.help' },
  { key: 'drinksPerCode', min: 1, max: 1000, unit: 'drinks', label: 'admin.settings.drinksPerCode', help: 'admin.settings.drinksPerCode.help' },
  { key: 'maxInFlight', min: 1, max: 1000, unit: 'orders', label: 'admin.settings.maxInFlight', help: 'admin.settings.maxInFlight.help' },
  { key: 'customerTimeoutSeconds', min: 30, max: 7200, unit: 'seconds', label: 'admin.settings.customerTimeoutSeconds', help: 'admin.settings.customerTimeoutSeconds.help' },
  { key: 'baristaTimeoutSeconds', min: 60, max: 14400, unit: 'seconds', label: 'admin.settings.baristaTimeoutSeconds', help: 'admin.settings.baristaTimeoutSeconds.help' },
  { key: 'drinksPerCustomerPerDay', min: 0, max: 100, unit: 'drinks', label: 'admin.settings.drinksPerCustomerPerDay', help: 'admin.settings.drinksPerCustomerPerDay.help' },
  { key: 'readySeconds', min: 10, max: 7200, unit: 'seconds', label: 'admin.settings.readySeconds', help: 'admin.settings.readySeconds.help' },
];

/** The form's fields: what was typed, per setting. */
export type SettingsDraft = Record<keyof Settings, string>;

/** draftOf starts the form from the kiosk's settings. */
export function draftOf(settings: Settings): SettingsDraft {
  return Object.fromEntries(settingsInfo.map((s) => [s.key, String(settings[s.key])])) as SettingsDraft;
}

/** parseSetting reads one field: a whole number within the setting's range, or null. */
export function parseSetting(info: SettingInfo, text: string): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const n = Number(text);
  return n >= info.min && n <= info.max ? n : null;
}

/** invalidFields lists the settings whose field is not a whole number in range. */
export function invalidFields(draft: SettingsDraft): (keyof Settings)[] {
  return settingsInfo.filter((s) => parseSetting(s, draft[s.key]) === null).map((s) => s.key);
}

/** changes returns only the settings that differ from the kiosk's, for PUT /api/settings. */
export function changes(draft: SettingsDraft, settings: Settings): Partial<Settings> {
  const out: Partial<Settings> = {};
  for (const s of settingsInfo) {
    const v = parseSetting(s, draft[s.key]);
    if (v !== null && v !== settings[s.key]) out[s.key] = v;
  }
  return out;
}

/** minutes writes a number of seconds in minutes and seconds for the hint beside a field, or '' when short. */
export function minutes(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 60) return '';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return s === 0 ? `${m} min` : `${m} min ${s} s`;
}
