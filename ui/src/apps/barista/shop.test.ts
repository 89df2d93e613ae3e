import { describe, expect, it } from 'vitest';
import { announced, failed, request } from './shop';

describe('the open/close switch', () => {
  it('stays pending until the kiosk announces the new state', () => {
    let sw = request({ open: false, pending: null }, true);
    expect(sw).toEqual({ open: false, pending: true });
    sw = announced(sw, false);
    expect(sw).toEqual({ open: false, pending: true });
    sw = announced(sw, true);
    expect(sw).toEqual({ open: true, pending: null });
  });

  it('forgets a request the kiosk refused', () => {
    expect(failed({ open: true, pending: false })).toEqual({ open: true, pending: null });
  });
});
