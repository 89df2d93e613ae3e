import { describe, expect, it } from 'vitest';
import type { Settings } from '../../lib/staff/types';
import { changes, draftOf, invalidFields, minutes, parseSetting, settingsInfo } from './settingsModel';

const defaults: Settings = {
  qrPeriodSeconds: 300,
  drinksPerCode: 10,
  maxInFlight: 20,
  customerTimeoutSeconds: 900,
  baristaTimeoutSeconds: 900,
  drinksPerCustomerPerDay: 1,
  readySeconds: 600,
};

describe('the settings form', () => {
  it('covers every setting with the kiosk’s ranges', () => {
    expect(settingsInfo.map((s) => [s.key, s.min, s.max])).toEqual([
      ['qrPeriodSeconds', 30, 3600],
      ['drinksPerCode', 1, 1000],
      ['maxInFlight', 1, 1000],
      ['customerTimeoutSeconds', 30, 7200],
      ['baristaTimeoutSeconds', 60, 14400],
      ['drinksPerCustomerPerDay', 0, 100],
      ['readySeconds', 10, 7200],
    ]);
  });

  it('sends only what changed', () => {
    const draft = { ...draftOf(defaults), maxInFlight: '12', readySeconds: '600' };
    expect(changes(draft, defaults)).toEqual({ maxInFlight: 12 });
    expect(changes(draftOf(defaults), defaults)).toEqual({});
  });

  it('refuses values out of range or not whole', () => {
    const draft = { ...draftOf(defaults), qrPeriodSeconds: '29', drinksPerCustomerPerDay: '0', drinksPerCode: '1.5', readySeconds: '' };
    expect(invalidFields(draft)).toEqual(['qrPeriodSeconds', 'drinksPerCode', 'readySeconds']);
    expect(changes(draft, defaults)).toEqual({ drinksPerCustomerPerDay: 0 });
    const info = settingsInfo[0]!;
    expect(parseSetting(info, ' 3600 ')).toBe(3600);
    expect(parseSetting(info, '3601')).toBeNull();
    expect(parseSetting(info, '-40')).toBeNull();
  });

  it('writes long durations in minutes', () => {
    expect(minutes(30)).toBe('');
    expect(minutes(300)).toBe('5 min');
    expect(minutes(90)).toBe('1 min 30 s');
  });
});
