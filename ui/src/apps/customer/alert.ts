// The "your drink is ready" alert: a chime made with WebAudio and a
// vibration. Browsers only let a page make sound after the person has
// touched it, so the tap on "Order" unlocks the sound for later.

type AudioCtor = typeof AudioContext;

let context: AudioContext | null = null;

function audioConstructor(): AudioCtor | undefined {
  const w = globalThis as unknown as { AudioContext?: AudioCtor; webkitAudioContext?: AudioCtor };
  return w.AudioContext ?? w.webkitAudioContext;
}

/** unlockSound prepares the sound; call it from a tap. Failing is harmless: the phone just stays quiet. */
export function unlockSound(): void {
  try {
    const Ctor = audioConstructor();
    if (!Ctor) return;
    context ??= new Ctor();
    if (context.state === 'suspended') void context.resume();
    // A silent blip completes the unlock on browsers that need a sound to start in the gesture.
    const gain = context.createGain();
    gain.gain.value = 0;
    gain.connect(context.destination);
    const osc = context.createOscillator();
    osc.connect(gain);
    osc.start();
    osc.stop(context.currentTime + 0.01);
  } catch {
    context = null;
  }
}

/** soundReady reports whether the chime can play. */
export function soundReady(): boolean {
  return context !== null && context.state === 'running';
}

/** The chime: three rising notes, in Hz, each this long. */
const notes = [659.25, 783.99, 1046.5];
const noteSeconds = 0.22;

function chime(ctx: AudioContext): void {
  const start = ctx.currentTime + 0.05;
  notes.forEach((freq, i) => {
    const at = start + i * noteSeconds;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.4, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + noteSeconds * 1.8);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(at);
    osc.stop(at + noteSeconds * 2);
  });
}

/** alertReady chimes (if the sound was unlocked) and vibrates (where the phone allows it). */
export function alertReady(): void {
  try {
    if (context) {
      if (context.state === 'suspended') void context.resume();
      chime(context);
    }
  } catch {
    // No sound is not an error: the screen says it too.
  }
  try {
    globalThis.navigator?.vibrate?.([300, 150, 300, 150, 300]);
  } catch {
    // Not every browser lets a page vibrate.
  }
}
