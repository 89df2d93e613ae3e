/**
 * The booth form's model: the booth's name, public address and Wi-Fi, with
 * the checks the kiosk makes on PUT /api/booth mirrored here so a mistake is
 * shown at its field before anything is sent. The kiosk stays the judge: its
 * booth_invalid answer is shown as it is.
 */
import type { MessageKey } from '../../lib/i18n';
import type { Booth } from '../../lib/staff/types';

/** The booth's fields, in the order of the form. */
export const boothFields = ['name', 'publicUrl', 'wifiSsid', 'wifiPassword'] as const;

/** One field of the booth form. */
export type BoothField = (typeof boothFields)[number];

/** What was typed, per field. */
export type BoothDraft = Booth;

/** The longest booth name, in characters (the kiosk's shop.MaxNameRunes). */
export const maxNameChars = 40;
/** A Wi-Fi name (SSID) is at most 32 bytes, as the Wi-Fi standard says. */
export const maxSsidBytes = 32;
/** A WPA passphrase is 8 to 63 printable ASCII characters. */
export const minPasswordChars = 8;
export const maxPasswordChars = 63;

/** A problem with one field. */
export interface BoothProblem {
  field: BoothField;
  message: MessageKey;
}

/** draftOf starts the form from the kiosk's booth settings. */
export function draftOf(booth: Booth): BoothDraft {
  return { ...booth };
}

// Control characters (other than spaces) and the invisible marks that turn
// text around are refused, as the kiosk refuses them in names.
const forbidden = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/;

/** cleanText folds runs of white space into one, as the kiosk stores names. */
export function cleanText(s: string): string {
  return s.split(/\s+/).filter(Boolean).join(' ');
}

const utf8 = new TextEncoder();

/** byteLength is the length of a string in UTF-8, as a Wi-Fi name is measured. */
export function byteLength(s: string): number {
  return utf8.encode(s).length;
}

function urlProblem(text: string): MessageKey | null {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return 'admin.booth.problem.url';
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '') return 'admin.booth.problem.url';
  // The WHATWG parser accepts "http:host" without slashes; the kiosk's does not.
  if (!/^https?:\/\//i.test(text)) return 'admin.booth.problem.url';
  if (u.hostname.toLowerCase().replace(/\.$/, '').endsWith('.local')) return 'admin.booth.problem.local';
  if (u.search !== '' || u.hash !== '' || /[?#]/.test(text)) return 'admin.booth.problem.urlPart';
  return null;
}

/** problems lists what the kiosk would refuse, one problem per field at most. */
export function problems(draft: BoothDraft): BoothProblem[] {
  const out: BoothProblem[] = [];
  const add = (field: BoothField, message: MessageKey) => out.push({ field, message });

  const name = draft.name;
  if (name !== '') {
    const clean = cleanText(name);
    if (forbidden.test(name) || clean === '' || [...clean].length > maxNameChars) add('name', 'admin.booth.problem.name');
  }

  const url = draft.publicUrl.trim();
  if (url !== '') {
    const p = urlProblem(url);
    if (p) add('publicUrl', p);
  }

  const ssid = draft.wifiSsid;
  if (ssid !== '') {
    if (byteLength(ssid) > maxSsidBytes) add('wifiSsid', 'admin.booth.problem.ssidLong');
    else if (forbidden.test(ssid) || cleanText(ssid) === '') add('wifiSsid', 'admin.booth.problem.ssidChars');
  }

  const pw = draft.wifiPassword;
  if (pw !== '') {
    if (ssid === '') add('wifiPassword', 'admin.booth.problem.passwordNoSsid');
    else if (pw.length < minPasswordChars || pw.length > maxPasswordChars) add('wifiPassword', 'admin.booth.problem.passwordLength');
    else if (!/^[\x20-\x7e]*$/.test(pw)) add('wifiPassword', 'admin.booth.problem.passwordChars');
  }
  return out;
}

/** problemOf returns the problem of one field, if any. */
export function problemOf(list: readonly BoothProblem[], field: BoothField): MessageKey | null {
  return list.find((p) => p.field === field)?.message ?? null;
}

/**
 * changes returns only the fields that differ from the kiosk's, for
 * PUT /api/booth (which leaves the others as they are). The address is sent
 * without the spaces around it.
 */
export function changes(draft: BoothDraft, booth: Booth): Partial<Booth> {
  const out: Partial<Booth> = {};
  for (const f of boothFields) {
    const v = f === 'publicUrl' ? draft[f].trim() : draft[f];
    if (v !== booth[f]) out[f] = v;
  }
  return out;
}

/**
 * fieldOfMessage guesses which field the kiosk's booth_invalid message is
 * about, so its words are shown beside that field; null when it names none.
 */
export function fieldOfMessage(message: string): BoothField | null {
  const m = message.toLowerCase();
  if (m.includes('password')) return 'wifiPassword';
  if (m.includes('wi-fi name') || m.includes('ssid') || m.includes('wi-fi')) return 'wifiSsid';
  if (m.includes('address') || m.includes('url')) return 'publicUrl';
  if (m.includes('name')) return 'name';
  return null;
}
