import { describe, expect, it } from 'vitest';
import { fromConfigEvent, fromShopState } from './config';
import type { Config } from './types';

const config: Config = {
  open: false,
  revision: 3,
  boothDay: 1,
  menu: [{ id: 'tea', name: 'Tea', icon: 'tea', available: true, options: [] }],
  settings: {
    qrPeriodSeconds: 300,
    drinksPerCode: 10,
    maxInFlight: 20,
    customerTimeoutSeconds: 900,
    baristaTimeoutSeconds: 900,
    drinksPerCustomerPerDay: 1,
    readySeconds: 600,
  },
};

describe('keeping the configuration current', () => {
  it('takes a newer ConfigChanged whole', () => {
    const next = fromConfigEvent(config, {
      changed: 'open',
      storeOpen: true,
      revision: 4,
      menu: [],
      settings: { ...config.settings, maxInFlight: 12 },
    });
    expect(next).toMatchObject({ open: true, revision: 4, menu: [], boothDay: 1 });
    expect(next.settings.maxInFlight).toBe(12);
  });

  it('takes the booth from a ConfigChanged, and keeps it when an older kind of event has none', () => {
    const booth = { name: 'Bar', publicUrl: '', wifiSsid: 'CoffeeBar', wifiPassword: 'espresso-2026' };
    const next = fromConfigEvent(config, { changed: 'booth', revision: 4, booth });
    expect(next.booth).toEqual(booth);
    expect(fromConfigEvent(next, { changed: 'open', storeOpen: true, revision: 5 }).booth).toEqual(booth);
    expect(fromConfigEvent(config, { changed: 'open', revision: 5 })).not.toHaveProperty('booth');
  });

  it('ignores an older ConfigChanged', () => {
    expect(fromConfigEvent(config, { storeOpen: true, revision: 2 })).toBe(config);
  });

  it('takes the retained shop state, keeping the settings it does not carry', () => {
    const next = fromShopState(config, { open: true, revision: 3, boothDay: 2, menu: [], settings: { readySeconds: 60 } });
    expect(next).toMatchObject({ open: true, boothDay: 2, menu: [] });
    expect(next.settings).toEqual({ ...config.settings, readySeconds: 60 });
    expect(fromShopState(config, { open: true, revision: 1 })).toBe(config);
  });
});
