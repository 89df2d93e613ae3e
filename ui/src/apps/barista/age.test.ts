import { describe, expect, it } from 'vitest';
import { ageLevel, formatAge } from './age';

describe('ageLevel', () => {
  it.each([
    [0, 'fresh'],
    [119_999, 'fresh'],
    [120_000, 'waiting'],
    [299_999, 'waiting'],
    [300_000, 'late'],
    [3_600_000, 'late'],
  ])('%i ms is %s', (ms, level) => {
    expect(ageLevel(ms)).toBe(level);
  });
});

describe('formatAge', () => {
  it.each([
    [0, '0:00'],
    [7_900, '0:07'],
    [272_000, '4:32'],
    [725_000, '12:05'],
    [-5, '0:00'],
  ])('%i ms reads %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
