/**
 * The batch view: identical drinks in the queue side by side, so a barista
 * can steam milk once for three oat flat whites.
 */
import type { Card } from './board';
import { visibleOptions } from './board';

/** One batch: the same drink with the same options, and the orders that want it. */
export interface Batch {
  key: string;
  drink: string;
  icon: string;
  /** The options worth reading, in the menu's order ("None" left out). */
  options: string[];
  /** The order numbers, lowest first. */
  numbers: number[];
  count: number;
}

/**
 * batchKey is what makes two orders the same drink: the drink and each
 * group's choice. A "None" choice counts like any other, since it is part of
 * the drink ("no syrup" is not "caramel").
 */
export function batchKey(card: Card): string {
  const d = card.drink;
  if (!d) return `?${card.id}`;
  const options = [...d.options]
    .map((o) => `${o.group}=${o.choice}`)
    .sort()
    .join('|');
  return `${d.drinkId}|${options}`;
}

/** batches groups cards (the queue) into batches, in the order of their first number. */
export function batches(cards: readonly Card[]): Batch[] {
  const groups = new Map<string, Batch>();
  for (const card of cards) {
    const key = batchKey(card);
    const batch = groups.get(key);
    if (batch) {
      batch.numbers.push(card.number);
      batch.count++;
      continue;
    }
    groups.set(key, {
      key,
      drink: card.drink?.drink ?? '',
      icon: card.drink?.icon ?? '',
      options: visibleOptions(card.drink),
      numbers: [card.number],
      count: 1,
    });
  }
  const out = [...groups.values()];
  for (const b of out) b.numbers.sort((x, y) => x - y);
  return out.sort((a, b) => (a.numbers[0] ?? 0) - (b.numbers[0] ?? 0));
}
