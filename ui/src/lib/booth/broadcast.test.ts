import { describe, expect, it } from 'vitest';
import { asBroadcast, broadcastLength, checkDraft, maxBroadcastLength } from './broadcast';

describe('asBroadcast', () => {
  it('reads a message with its time', () => {
    expect(asBroadcast({ text: 'Grinder down, five minutes', at: '2026-06-03T09:00:00Z' })).toEqual({
      text: 'Grinder down, five minutes',
      at: '2026-06-03T09:00:00Z',
    });
  });
  it('takes empty or blank text as no message', () => {
    expect(asBroadcast({ text: '', at: '2026-06-03T09:00:00Z' })).toBeNull();
    expect(asBroadcast({ text: '   ' })).toBeNull();
  });
  it('keeps what it had for anything that is not a message', () => {
    expect(asBroadcast(null)).toBeUndefined();
    expect(asBroadcast([])).toBeUndefined();
    expect(asBroadcast({ at: 'x' })).toBeUndefined();
    expect(asBroadcast({ text: 4 })).toBeUndefined();
  });
  it('reads the detail of a ConfigService.Broadcast event, which has no time', () => {
    expect(asBroadcast({ text: 'Oat milk is back', actorId: 'x', message: '…' })).toEqual({ text: 'Oat milk is back', at: '' });
  });
});

describe('checkDraft', () => {
  it('counts an emoji as one character', () => {
    expect(broadcastLength('☕️')).toBe(2); // a cup and a variation selector
    expect(broadcastLength('😀')).toBe(1);
  });
  it('allows a message up to the limit and not over', () => {
    expect(checkDraft('a'.repeat(maxBroadcastLength), null)).toMatchObject({ left: 0, canSend: true });
    expect(checkDraft('a'.repeat(maxBroadcastLength + 1), null)).toMatchObject({ left: -1, canSend: false });
  });
  it('does not send nothing, or the message already up', () => {
    expect(checkDraft('  ', null).canSend).toBe(false);
    expect(checkDraft(' Back at 3 ', { text: 'Back at 3', at: '' })).toMatchObject({ text: 'Back at 3', canSend: false });
    expect(checkDraft('Back at 4', { text: 'Back at 3', at: '' }).canSend).toBe(true);
  });
});
