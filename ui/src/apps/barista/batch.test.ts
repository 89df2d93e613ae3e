import { describe, expect, it } from 'vitest';
import type { DrinkOrder } from '../../lib/staff/types';
import { batches } from './batch';
import type { Card } from './board';

const drink = (drinkId: string, name: string, milk: string, syrup = 'None'): DrinkOrder => ({
  drinkId,
  drink: name,
  icon: drinkId,
  options: [
    { group: 'Milk', choice: milk },
    { group: 'Syrup', choice: syrup },
  ],
});

const card = (number: number, d: DrinkOrder | null): Card => ({
  id: `o${number}`,
  number,
  name: 'x',
  drink: d,
  state: 'queued',
  baristaId: '',
  submittedAt: 0,
  readyAt: null,
});

describe('batches', () => {
  it('groups the same drink with the same options', () => {
    const out = batches([
      card(9, drink('flat-white', 'Flat White', 'Oat')),
      card(4, drink('flat-white', 'Flat White', 'Oat')),
      card(5, drink('flat-white', 'Flat White', 'Regular')),
      card(7, drink('flat-white', 'Flat White', 'Oat')),
      card(6, drink('latte', 'Caffè Latte', 'Oat')),
      card(8, drink('flat-white', 'Flat White', 'Oat', 'Vanilla')),
    ]);
    expect(out.map((b) => [b.count, b.drink, b.options.join(', '), b.numbers])).toEqual([
      [3, 'Flat White', 'Oat', [4, 7, 9]],
      [1, 'Flat White', 'Regular', [5]],
      [1, 'Caffè Latte', 'Oat', [6]],
      [1, 'Flat White', 'Oat, Vanilla', [8]],
    ]);
  });

  it('does not care in which order the options were listed', () => {
    const a = drink('latte', 'Caffè Latte', 'Oat');
    const b = { ...a, options: [...a.options].reverse() };
    expect(batches([card(1, a), card(2, b)])).toHaveLength(1);
  });

  it('keeps an order without a drink on its own', () => {
    expect(batches([card(1, null), card(2, null)])).toHaveLength(2);
  });

  it('is empty for an empty queue', () => {
    expect(batches([])).toEqual([]);
  });
});
