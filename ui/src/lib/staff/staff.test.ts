import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { errorCode, errorText } from './errors';
import { rememberedId, rememberId } from './identity';
import { createSeen } from './seen';
import { asStaff, isSignedOut } from './session';

describe('asStaff', () => {
  it('keeps a staff session', () => {
    expect(asStaff({ customer: false, kind: 'staff', role: 'admin', username: 'admin' })).toEqual({
      username: 'admin',
      role: 'admin',
    });
    expect(asStaff({ kind: 'staff', role: 'barista', username: 'kim', id: 's1' })).toEqual({
      username: 'kim',
      role: 'barista',
      id: 's1',
    });
  });

  it('refuses customers and displays', () => {
    expect(asStaff({ customer: true })).toBeNull();
    expect(asStaff({ customer: false, kind: 'display', role: 'display' })).toBeNull();
    expect(asStaff(null)).toBeNull();
  });
});

describe('errors', () => {
  it('explains a known code in the page’s language and keeps the kiosk’s words for the rest', () => {
    expect(errorText(new ApiError('login_failed', 'Wrong name or password.', 401))).toBe('Wrong name or password.');
    const menu = new ApiError('menu_invalid', 'The menu is not valid: drink "x" needs a name.', 400);
    expect(errorText(menu)).toBe(menu.message);
    expect(errorCode(menu)).toBe('menu_invalid');
    expect(errorCode(new Error('x'))).toBe('');
  });

  it('knows a signed-out answer', () => {
    expect(isSignedOut(new ApiError('unauthorized', '', 401))).toBe(true);
    expect(isSignedOut(new ApiError('forbidden', '', 403))).toBe(false);
  });
});

describe('identity', () => {
  it('remembers an account id per name', () => {
    const m = new Map<string, string>();
    const store = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
    expect(rememberedId('kim', store)).toBeNull();
    rememberId('kim', 's1', store);
    expect(rememberedId('kim', store)).toBe('s1');
    expect(rememberedId('bo', store)).toBeNull();
  });
});

describe('createSeen', () => {
  it('skips a repeated seq and forgets the oldest beyond its limit', () => {
    const seen = createSeen(2);
    expect(seen.first(1)).toBe(true);
    expect(seen.first(1)).toBe(false);
    expect(seen.first(2)).toBe(true);
    expect(seen.first(3)).toBe(true);
    expect(seen.first(1)).toBe(true);
    expect(seen.first(3)).toBe(false);
  });
});
