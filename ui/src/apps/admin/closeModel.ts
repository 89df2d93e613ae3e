// Closing the booth as the admin app follows it: the status from
// GET/POST /api/booth/close, moved on by the staff events
// ConfigService.BoothClosing and BoothClosed, and reset when the shop opens
// again. Free of Preact and the network.

import type { StaffEvent } from '../../lib/staff/types';

/** Where closing stands: open (not closing), closing with orders still open, or closed and backed up. */
export interface CloseStatus {
  state: 'open' | 'closing' | 'closed';
  openOrders: number;
  /** The backup's file name in the data directory's backups/ (closed). */
  backup?: string;
  /** Where copies of it went, e.g. a USB drive. */
  copies?: string[];
  /** Why the last attempt to back up failed; closing goes on trying. */
  error?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** asCloseStatus reads the kiosk's answer, or returns null. */
export function asCloseStatus(v: unknown): CloseStatus | null {
  if (!isRecord(v)) return null;
  const state = v['state'];
  if (state !== 'open' && state !== 'closing' && state !== 'closed') return null;
  const out: CloseStatus = { state, openOrders: typeof v['openOrders'] === 'number' ? Math.max(0, v['openOrders']) : 0 };
  if (typeof v['backup'] === 'string' && v['backup'] !== '') out.backup = v['backup'];
  const copies = strings(v['copies']);
  if (copies.length > 0) out.copies = copies;
  if (typeof v['error'] === 'string' && v['error'] !== '') out.error = v['error'];
  return out;
}

/** What an event means for closing: the status after it, and whether to read it again from the kiosk. */
export interface CloseStep {
  status: CloseStatus | null;
  /** The count of open orders may have changed: GET /api/booth/close. */
  reread: boolean;
}

/**
 * closeOnEvent moves the status on by one staff event. While closing, an
 * order that ends changes the count of open orders, which the event does
 * not carry, so the page reads the status again.
 */
export function closeOnEvent(status: CloseStatus | null, e: StaffEvent): CloseStep {
  const d = e.detail;
  switch (e.type) {
    case 'ConfigService.BoothClosing':
      return {
        status: { state: 'closing', openOrders: typeof d['openOrders'] === 'number' ? d['openOrders'] : (status?.openOrders ?? 0) },
        reread: false,
      };
    case 'ConfigService.BoothClosed': {
      const next: CloseStatus = { state: 'closed', openOrders: 0 };
      if (typeof d['backup'] === 'string' && d['backup'] !== '') next.backup = d['backup'];
      const copies = strings(d['copies']);
      if (copies.length > 0) next.copies = copies;
      return { status: next, reread: false };
    }
    case 'ConfigService.ConfigChanged':
      // Opening the shop again ends closing, whatever stage it was at.
      if (d['storeOpen'] === true && status && status.state !== 'open') return { status: { state: 'open', openOrders: 0 }, reread: true };
      return { status, reread: false };
    case 'OrderProcessor.orderFinished':
      return { status, reread: status?.state === 'closing' };
    default:
      return { status, reread: false };
  }
}
