/**
 * The open/close switch waits for the kiosk to announce the change
 * (ConfigService.ConfigChanged) before it shows the new state: the tablet
 * shows what every phone and the display now see, not what it asked for.
 */

/** The switch: the shop's state as announced, and the state asked for, if any. */
export interface OpenSwitch {
  open: boolean;
  /** The state asked for and not yet announced; null when nothing is pending. */
  pending: boolean | null;
}

/** request records a tap on the switch. */
export function request(sw: OpenSwitch, open: boolean): OpenSwitch {
  return { ...sw, pending: open };
}

/** announced records the shop's state as the kiosk announced it; a matching request is settled. */
export function announced(sw: OpenSwitch, open: boolean): OpenSwitch {
  return { open, pending: sw.pending === open ? null : sw.pending };
}

/** failed drops a request the kiosk refused. */
export function failed(sw: OpenSwitch): OpenSwitch {
  return { ...sw, pending: null };
}
