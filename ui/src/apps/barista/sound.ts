/**
 * The new-order chime: two short notes made with WebAudio (no sound file to
 * ship), switched on or off at the tablet and remembered there.
 */
import type { KeyValueStore } from '../../lib/staff/identity';

const key = 'kiosk.barista.sound';

function storage(): KeyValueStore | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** soundEnabled reads the switch; on unless switched off on this tablet. */
export function soundEnabled(store: KeyValueStore | null = storage()): boolean {
  try {
    return store?.getItem(key) !== 'off';
  } catch {
    return true;
  }
}

/** setSoundEnabled remembers the switch on this tablet. */
export function setSoundEnabled(on: boolean, store: KeyValueStore | null = storage()): void {
  try {
    store?.setItem(key, on ? 'on' : 'off');
  } catch {
    // Not remembered; the switch still works until the page reloads.
  }
}

let context: AudioContext | null = null;

/**
 * unlockAudio prepares the audio output. Browsers let a page play sound only
 * after a tap, so the app calls this from its first tap (and the switch).
 */
export function unlockAudio(): void {
  const Ctor = globalThis.AudioContext as typeof AudioContext | undefined;
  if (!Ctor) return;
  try {
    context ??= new Ctor();
    if (context.state === 'suspended') void context.resume();
  } catch {
    context = null;
  }
}

/** chime plays the new-order sound, if the audio output is ready. */
export function chime(): void {
  if (!context || context.state !== 'running') return;
  const start = context.currentTime;
  // Two rising notes, loud enough over a grinder, short enough not to annoy.
  [880, 1320].forEach((frequency, i) => {
    if (!context) return;
    const osc = context.createOscillator();
    const gain = context.createGain();
    const at = start + i * 0.18;
    osc.type = 'sine';
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.4, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.3);
    osc.connect(gain).connect(context.destination);
    osc.start(at);
    osc.stop(at + 0.32);
  });
}
