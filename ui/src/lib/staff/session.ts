import { api, ApiError } from '../api';
import type { StaffSession } from './types';

/** The answer of GET /api/session: who the page's cookies say it is. */
interface SessionAnswer {
  customer?: boolean;
  kind?: string;
  role?: string;
  username?: string;
  id?: string;
}

/** asStaff keeps a session answer only when it is a staff member's. */
export function asStaff(answer: SessionAnswer | null | undefined): StaffSession | null {
  if (!answer || answer.kind !== 'staff' || !answer.username) return null;
  if (answer.role !== 'barista' && answer.role !== 'admin') return null;
  return {
    username: answer.username,
    role: answer.role,
    ...(typeof answer.id === 'string' && answer.id !== '' ? { id: answer.id } : {}),
  };
}

/** currentSession asks the kiosk who is signed in on this page; null for nobody on staff. */
export async function currentSession(): Promise<StaffSession | null> {
  return asStaff(await api<SessionAnswer>('GET', '/api/session'));
}

/** signIn opens a staff session; the kiosk sets its cookie. */
export async function signIn(username: string, password: string): Promise<StaffSession> {
  const answer = asStaff(await api<SessionAnswer>('POST', '/api/session', { username, password }));
  if (!answer) throw new ApiError('forbidden', 'This is not a staff account.', 403);
  return answer;
}

/** signOut ends the session. Being signed out already is fine. */
export async function signOut(): Promise<void> {
  try {
    await api<void>('DELETE', '/api/session');
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
}

/** isSignedOut tells whether an API error means the session has ended. */
export function isSignedOut(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}
