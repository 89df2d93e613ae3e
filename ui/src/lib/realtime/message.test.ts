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

  it('takes a flat object (a retained snapshot, a customer event) as its own detail', () => {
    expect(parseMessage(bytes('{"orders":[]}'))).toEqual({ type: '', detail: { orders: [] } });
    const event = { type: 'OrderManager.MakeOrder', seq: 7, orderId: 'o1', state: 'making', action: 'make' };
    expect(parseMessage(bytes(JSON.stringify(event)))).toEqual({ type: 'OrderManager.MakeOrder', detail: event });
    expect(parseMessage('{"type":3,"detail":"y"}')).toEqual({ type: '', detail: { type: 3, detail: 'y' } });
  });

  it.each([
    ['not JSON', 'hello'],
    ['empty', ''],
    ['a number', '42'],
    ['a string', '"x"'],
    ['null', 'null'],
    ['an array', '[1,2]'],
  ])('rejects %s', (_, body) => {
    expect(parseMessage(bytes(body))).toBeNull();
  });
});
