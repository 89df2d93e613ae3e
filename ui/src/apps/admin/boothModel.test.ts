import { describe, expect, it } from 'vitest';
import { byteLength, changes, draftOf, fieldOfMessage, problemOf, problems, type BoothDraft } from './boothModel';

const empty: BoothDraft = { name: '', publicUrl: '', wifiSsid: '', wifiPassword: '' };
const draft = (d: Partial<BoothDraft>): BoothDraft => ({ ...empty, ...d });
const fields = (d: Partial<BoothDraft>) => problems(draft(d)).map((p) => `${p.field}: ${p.message}`);

describe('the booth form', () => {
  it('accepts empty fields: the kiosk then uses what it was started with', () => {
    expect(problems(empty)).toEqual([]);
    expect(
      problems(draft({ name: 'Coffee Bar', publicUrl: 'http://10.42.0.1/', wifiSsid: 'CoffeeBar', wifiPassword: 'espresso-2026' })),
    ).toEqual([]);
    expect(problems(draft({ wifiSsid: 'Open Bar' }))).toEqual([]);
  });

  it('checks the name as the kiosk does', () => {
    expect(fields({ name: 'x'.repeat(40) })).toEqual([]);
    expect(fields({ name: `  ${'x'.repeat(20)}   ${'y'.repeat(19)} ` })).toEqual([]);
    expect(fields({ name: 'x'.repeat(41) })).toEqual(['name: admin.booth.problem.name']);
    expect(fields({ name: '   ' })).toEqual(['name: admin.booth.problem.name']);
    expect(fields({ name: 'Bar\u0007' })).toEqual(['name: admin.booth.problem.name']);
    expect(fields({ name: 'Bar\u202e' })).toEqual(['name: admin.booth.problem.name']);
  });

  it('checks the public address: http(s), no .local, no ? or #', () => {
    expect(fields({ publicUrl: ' https://coffee.booth/ ' })).toEqual([]);
    expect(fields({ publicUrl: 'http://10.42.0.1:8080/order' })).toEqual([]);
    expect(fields({ publicUrl: '10.42.0.1' })).toEqual(['publicUrl: admin.booth.problem.url']);
    expect(fields({ publicUrl: 'ftp://10.42.0.1/' })).toEqual(['publicUrl: admin.booth.problem.url']);
    expect(fields({ publicUrl: 'http:10.42.0.1' })).toEqual(['publicUrl: admin.booth.problem.url']);
    expect(fields({ publicUrl: 'http://coffee.local/' })).toEqual(['publicUrl: admin.booth.problem.local']);
    expect(fields({ publicUrl: 'http://Coffee.LOCAL./' })).toEqual(['publicUrl: admin.booth.problem.local']);
    expect(fields({ publicUrl: 'http://10.42.0.1/?x=1' })).toEqual(['publicUrl: admin.booth.problem.urlPart']);
    expect(fields({ publicUrl: 'http://10.42.0.1/#top' })).toEqual(['publicUrl: admin.booth.problem.urlPart']);
    expect(fields({ publicUrl: 'http://10.42.0.1/?' })).toEqual(['publicUrl: admin.booth.problem.urlPart']);
  });

  it('measures the Wi-Fi name in bytes', () => {
    expect(byteLength('Café')).toBe(5);
    expect(fields({ wifiSsid: 'x'.repeat(32) })).toEqual([]);
    expect(fields({ wifiSsid: 'x'.repeat(33) })).toEqual(['wifiSsid: admin.booth.problem.ssidLong']);
    expect(fields({ wifiSsid: 'é'.repeat(17) })).toEqual(['wifiSsid: admin.booth.problem.ssidLong']);
    expect(fields({ wifiSsid: 'Bar\u0000' })).toEqual(['wifiSsid: admin.booth.problem.ssidChars']);
    expect(fields({ wifiSsid: '  ' })).toEqual(['wifiSsid: admin.booth.problem.ssidChars']);
  });

  it('checks the Wi-Fi password: a name first, 8 to 63 printable ASCII characters', () => {
    expect(fields({ wifiPassword: 'espresso' })).toEqual(['wifiPassword: admin.booth.problem.passwordNoSsid']);
    expect(fields({ wifiSsid: 'Bar', wifiPassword: 'short' })).toEqual(['wifiPassword: admin.booth.problem.passwordLength']);
    expect(fields({ wifiSsid: 'Bar', wifiPassword: 'x'.repeat(64) })).toEqual(['wifiPassword: admin.booth.problem.passwordLength']);
    expect(fields({ wifiSsid: 'Bar', wifiPassword: 'x'.repeat(63) })).toEqual([]);
    expect(fields({ wifiSsid: 'Bar', wifiPassword: 'Kaffee für alle' })).toEqual(['wifiPassword: admin.booth.problem.passwordChars']);
    expect(fields({ wifiSsid: 'Bar', wifiPassword: 'a b;c,d:e"f\\g' })).toEqual([]);
  });

  it('finds one field’s problem', () => {
    const list = problems(draft({ name: 'x'.repeat(41), wifiPassword: 'espresso' }));
    expect(problemOf(list, 'name')).toBe('admin.booth.problem.name');
    expect(problemOf(list, 'publicUrl')).toBeNull();
  });

  it('sends only what changed, the address without spaces around it', () => {
    const booth = { name: 'Bar', publicUrl: '', wifiSsid: 'CoffeeBar', wifiPassword: 'espresso-2026' };
    expect(changes(draftOf(booth), booth)).toEqual({});
    expect(changes({ ...booth, publicUrl: ' http://10.42.0.1/ ', wifiPassword: '' }, booth)).toEqual({
      publicUrl: 'http://10.42.0.1/',
      wifiPassword: '',
    });
    expect(changes({ ...booth, publicUrl: '   ' }, booth)).toEqual({});
  });

  it('puts the kiosk’s refusal beside the field it names', () => {
    expect(fieldOfMessage("The booth's name is 1 to 40 characters.")).toBe('name');
    expect(fieldOfMessage('The public address must not use .local: many phones cannot find such names.')).toBe('publicUrl');
    expect(fieldOfMessage('The Wi-Fi name is at most 32 bytes.')).toBe('wifiSsid');
    expect(fieldOfMessage('A Wi-Fi password needs a Wi-Fi name.')).toBe('wifiPassword');
    expect(fieldOfMessage('The booth settings are not valid.')).toBeNull();
  });
});
