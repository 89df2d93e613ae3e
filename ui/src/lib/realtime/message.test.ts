import { describe, expect, it } from 'vitest';
import { parseMessage } from './message';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('parseMessage', () => {
  it('reads {type, detail} from bytes and strings', () => {
    const body = '{"type":"OrderManager.MakeOrder","detail":{"orderNumber":7}}';
    const want = { type: 'OrderManager.MakeOrder', detail: { orderNumber: 7 } };
    expect(parseMessage(bytes(body))).toEqual(want);
    expect(parseMessage(body)).toEqual(want);
  });

  it('decodes UTF-8', () => {
    expect(parseMessage(bytes('{"type":"x","detail":{"drink":"Café au lait"}}'))?.detail).toEqual({
      drink: 'Café au lait',
    });
  });

  it.each([
    ['not JSON', 'hello'],
    ['empty', ''],
    ['a number', '42'],
    ['null', 'null'],
    ['an array', '[1,2]'],
    ['no type', '{"detail":{}}'],
    ['empty type', '{"type":"","detail":{}}'],
    ['a number type', '{"type":3,"detail":{}}'],
    ['no detail', '{"type":"x"}'],
    ['a string detail', '{"type":"x","detail":"y"}'],
    ['an array detail', '{"type":"x","detail":[]}'],
  ])('rejects %s', (_, body) => {
    expect(parseMessage(bytes(body))).toBeNull();
  });
});
