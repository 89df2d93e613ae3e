/**
 * The shapes the staff apps (barista and admin) read from the kiosk's API and
 * realtime topics, as docs/api.md, docs/order-core.md and docs/realtime.md
 * describe them.
 */

/** One chosen option of a drink, e.g. {group: "Milk", choice: "Oat"}. */
export interface Choice {
  group: string;
  choice: string;
}

/** The drink of an order, as the customer chose it. */
export interface DrinkOrder {
  drinkId: string;
  drink: string;
  icon: string;
  options: Choice[];
}

/** An order's state on the server. */
export type OrderState = 'waiting' | 'queued' | 'making' | 'completed' | 'cancelled';

/** An order as staff read it (GET /api/orders and every barista action's answer). */
export interface Order {
  id: string;
  customerName: string;
  boothDay: number;
  number?: number;
  state: OrderState;
  /** Completed and not yet collected. */
  ready: boolean;
  drink?: DrinkOrder;
  /** The staff account making the order. */
  baristaId?: string;
  endReason?: string;
  createdAt: string;
  submittedAt?: string;
  completedAt?: string;
  collectedAt?: string;
  timeLeftMs?: number;
  /** Age since the drink was submitted, on the kiosk's running time. */
  sinceSubmittedMs?: number;
  /** Age since the drink was completed, on the kiosk's running time. */
  sinceCompletedMs?: number;
}

/** A group of options of a drink; the first choice is the default. */
export interface OptionGroup {
  name: string;
  choices: string[];
}

/** One drink of the menu. */
export interface Drink {
  id: string;
  name: string;
  icon: string;
  available: boolean;
  options: OptionGroup[];
}

/** The numbers of the bar's rules (docs/order-core.md, Settings). */
export interface Settings {
  qrPeriodSeconds: number;
  drinksPerCode: number;
  maxInFlight: number;
  customerTimeoutSeconds: number;
  baristaTimeoutSeconds: number;
  drinksPerCustomerPerDay: number;
  readySeconds: number;
}

/**
 * The booth itself (PUT /api/booth): its name, the address phones reach it
 * at (empty: as the kiosk was started), and the Wi-Fi the display offers.
 */
export interface Booth {
  name: string;
  publicUrl: string;
  wifiSsid: string;
  wifiPassword: string;
}

/** The whole configuration (GET /api/config, and the answer to every change of it). */
export interface Config {
  open: boolean;
  menu: Drink[];
  settings: Settings;
  revision: number;
  boothDay: number;
  /** Absent from a kiosk older than the booth settings. */
  booth?: Booth;
}

/** A staff member's role. */
export type Role = 'barista' | 'admin';

/** Who is signed in on this page (POST and GET /api/session). */
export interface StaffSession {
  username: string;
  role: Role;
  /**
   * The staff account's id, the one orders carry as baristaId. The server
   * does not send it today; the apps learn it otherwise (see identity.ts).
   */
  id?: string;
}

/** A staff account (GET /api/staff). */
export interface Account {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
}

/** One event of the log, from GET /api/events or the kiosk/staff/events topic. */
export interface StaffEvent {
  seq: number;
  type: string;
  time: string;
  detail: Record<string, unknown>;
  id?: string;
  source?: string;
  version?: number;
  runTimeMs?: number;
}
