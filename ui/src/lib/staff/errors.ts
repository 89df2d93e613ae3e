import { ApiError } from '../api';
import { t, type MessageKey } from '../i18n';

// The error codes the staff apps explain in the page's language. Any other
// code shows the kiosk's own (English) message, which is always there.
const known: Record<string, MessageKey> = {
  network: 'staff.error.network',
  login_failed: 'staff.error.login_failed',
  too_many_requests: 'staff.error.too_many_requests',
  session_expired: 'staff.error.session_expired',
  unauthorized: 'staff.error.session_expired',
  forbidden: 'staff.error.forbidden',
  csrf_failed: 'staff.error.csrf_failed',
  claimed_by_other: 'staff.error.claimed_by_other',
  order_finished: 'staff.error.order_finished',
  order_not_queued: 'staff.error.order_not_queued',
  order_not_making: 'staff.error.order_not_making',
  order_not_ready: 'staff.error.order_not_ready',
  order_not_found: 'staff.error.order_not_found',
  username_taken: 'staff.error.username_taken',
  last_admin: 'staff.error.last_admin',
  account_not_found: 'staff.error.account_not_found',
};

/** errorCode returns the stable code of an error, or "" when it is not the kiosk's. */
export function errorCode(error: unknown): string {
  return error instanceof ApiError ? error.code : '';
}

/**
 * errorText explains an error to a member of staff: in their language when
 * the code is one the apps know, else in the kiosk's words. Errors that carry
 * a detail only the server knows (menu_invalid, settings_invalid,
 * account_invalid) keep the kiosk's message, which names the problem.
 */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const key = known[error.code];
    return key ? t(key) : error.message;
  }
  return t('staff.error.unknown');
}
