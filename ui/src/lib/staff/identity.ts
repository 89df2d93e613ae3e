/**
 * Which staff account this page is signed in as, by the id orders carry in
 * baristaId. The kiosk's session answer gives the name and role but not the
 * id, so the barista app learns it from the first order it makes (the answer
 * carries baristaId) and remembers it on this device, per name. An admin app
 * can read it from the staff list.
 */

/** The part of localStorage this uses, replaceable in tests. */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

const prefix = 'kiosk.staff.id.';

function storage(): KeyValueStore | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** rememberedId returns the account id this device learned for a name, or null. */
export function rememberedId(username: string, store: KeyValueStore | null = storage()): string | null {
  try {
    return store?.getItem(prefix + username) || null;
  } catch {
    return null;
  }
}

/** rememberId keeps the account id of a name on this device. */
export function rememberId(username: string, id: string, store: KeyValueStore | null = storage()): void {
  if (!id) return;
  try {
    store?.setItem(prefix + username, id);
  } catch {
    // A full or disabled storage only means learning the id again.
  }
}
