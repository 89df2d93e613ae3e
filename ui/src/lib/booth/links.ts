// Addresses of the booth's pages that several apps link to.

/** journeyUrl is the address of an order's journey page, for its customer and for staff. */
export function journeyUrl(orderId: string): string {
  return `/journey/?order=${encodeURIComponent(orderId)}`;
}

/** ordersCsvUrl is the CSV of a booth day's orders; without a day, the current one. */
export function ordersCsvUrl(boothDay?: number): string {
  return boothDay ? `/api/export/orders.csv?boothDay=${boothDay}` : '/api/export/orders.csv';
}

/** The event log as CSV, and the whole backup (both for admins). */
export const eventsCsvUrl = '/api/export/events.csv';
export const backupUrl = '/api/backup';
