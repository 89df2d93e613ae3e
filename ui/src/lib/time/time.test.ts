import { describe, expect, it } from 'vitest';
import { deadlineFrom, formatAge, formatClock, msLeft } from '.';

describe('countdowns', () => {
  it('count down from the time left the kiosk sent, on the monotonic clock', () => {
    const deadline = deadlineFrom(90_000, 1_000);
    expect(msLeft(deadline, 1_000)).toBe(90_000);
    expect(msLeft(deadline, 31_000)).toBe(60_000);
    expect(msLeft(deadline, 200_000)).toBe(0);
    expect(msLeft(deadlineFrom(-5, 10), 10)).toBe(0);
  });

  it.each([
    [0, '0:00'],
    [1, '0:01'],
    [999, '0:01'],
    [1_000, '0:01'],
    [1_001, '0:02'],
    [59_500, '1:00'],
    [900_000, '15:00'],
    [3_600_000, '1:00:00'],
    [3_723_000, '1:02:03'],
    [-4_000, '0:00'],
  ])('formatClock(%d) is %s', (ms, want) => {
    expect(formatClock(ms)).toBe(want);
  });

  it.each([
    [0, '0:00'],
    [999, '0:00'],
    [65_000, '1:05'],
    [754_999, '12:34'],
  ])('formatAge(%d) is %s', (ms, want) => {
    expect(formatAge(ms)).toBe(want);
  });
});
