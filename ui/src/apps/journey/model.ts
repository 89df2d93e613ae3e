// An order's journey (GET /api/orders/{id}/journey) in words: for each step,
// what happened, which part of the kiosk did it and why, and when. Free of
// Preact and the network; the wording comes from the translations.

import type { MessageKey, TranslateFn } from '../../lib/i18n';

/** One step of the journey: an event of the order's log. */
export interface JourneyStep {
  type: string;
  source: string;
  time: string;
  /** Since the scan, on the kiosk's running time. */
  afterMs: number;
  /** The kiosk's own explanation, in English. */
  message: string;
  orderNumber?: number;
  cause?: string;
  outcome?: string;
  action?: string;
  by?: string;
  drink?: string;
}

/** The order the journey is about, as far as the page shows it. */
export interface JourneyOrder {
  id: string;
  customerName: string;
  number?: number;
  state: string;
  ready?: boolean;
  endReason?: string;
  drink?: { drink: string; icon: string; options: { group: string; choice: string }[] };
  createdAt?: string;
}

/** The whole answer. */
export interface Journey {
  order: JourneyOrder;
  steps: JourneyStep[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * asJourney reads the answer, or returns null. Steps keep the order of the
 * kiosk's log (commit order), which is the order they happened in; steps
 * that are not readable are left out.
 */
export function asJourney(v: unknown): Journey | null {
  if (!isRecord(v) || !isRecord(v['order']) || !Array.isArray(v['steps'])) return null;
  const order = v['order'];
  if (typeof order['id'] !== 'string') return null;
  const steps: JourneyStep[] = [];
  for (const s of v['steps']) {
    if (!isRecord(s) || typeof s['type'] !== 'string') continue;
    const step: JourneyStep = {
      type: s['type'],
      source: typeof s['source'] === 'string' ? s['source'] : '',
      time: typeof s['time'] === 'string' ? s['time'] : '',
      afterMs: typeof s['afterMs'] === 'number' ? Math.max(0, s['afterMs']) : 0,
      message: typeof s['message'] === 'string' ? s['message'] : '',
    };
    if (typeof s['orderNumber'] === 'number') step.orderNumber = s['orderNumber'];
    for (const k of ['cause', 'outcome', 'action', 'by', 'drink'] as const) {
      const x = s[k];
      if (typeof x === 'string' && x !== '') step[k] = x;
    }
    steps.push(step);
  }
  return { order: order as unknown as JourneyOrder, steps };
}

/** A step in words. */
export interface StepWords {
  /** What happened, in one line. */
  title: string;
  /** Why, or what it means for the order. */
  why: string;
  /** The part of the kiosk that did it, e.g. "Order workflow"; "" when unknown. */
  source: string;
  /** What that part does. */
  sourceHelp: string;
  /** When, counted from the scan: "At the scan", "2 min 5 s after the scan". */
  after: string;
  /** Which kind of step, for the page's styles: start, wait, work, good, bad. */
  tone: 'start' | 'wait' | 'work' | 'good' | 'bad';
}

type Wording = { title: MessageKey; why: MessageKey; tone: StepWords['tone'] };

// wording picks the message keys for a step by its type and its details.
function wording(s: JourneyStep): Wording | null {
  switch (s.type) {
    case 'Validator.NewOrder':
      return { title: 'journey.step.newOrder', why: 'journey.why.newOrder', tone: 'start' };
    case 'OrderProcessor.WorkflowStarted':
      return { title: 'journey.step.workflowStarted', why: 'journey.why.workflowStarted', tone: 'wait' };
    case 'OrderProcessor.WaitingCompletion':
      return { title: 'journey.step.processorWaiting', why: 'journey.why.processorWaiting', tone: 'wait' };
    case 'OrderManager.WaitingCompletion':
      return { title: s.drink ? 'journey.step.queuedDrink' : 'journey.step.queued', why: 'journey.why.queued', tone: 'work' };
    case 'OrderManager.MakeOrder':
      return s.action === 'unmake'
        ? { title: 'journey.step.unmake', why: 'journey.why.unmake', tone: 'wait' }
        : { title: 'journey.step.make', why: 'journey.why.make', tone: 'work' };
    case 'OrderManager.OrderCompleted':
      return { title: 'journey.step.completed', why: 'journey.why.completed', tone: 'good' };
    case 'OrderManager.OrderCancelled':
      return s.by === 'customer'
        ? { title: 'journey.step.cancelledByCustomer', why: 'journey.why.cancelledByCustomer', tone: 'bad' }
        : { title: 'journey.step.cancelledByStaff', why: 'journey.why.cancelledByStaff', tone: 'bad' };
    case 'OrderProcessor.OrderTimeOut':
      return s.cause === 'customer'
        ? { title: 'journey.step.timeoutCustomer', why: 'journey.why.timeoutCustomer', tone: 'bad' }
        : { title: 'journey.step.timeoutBarista', why: 'journey.why.timeoutBarista', tone: 'bad' };
    case 'OrderProcessor.orderFinished':
      switch (s.outcome) {
        case 'completed':
          return { title: 'journey.step.finishedCompleted', why: 'journey.why.finished', tone: 'good' };
        case 'timed_out':
          return { title: 'journey.step.finishedTimedOut', why: 'journey.why.finished', tone: 'bad' };
        default:
          return { title: 'journey.step.finishedCancelled', why: 'journey.why.finished', tone: 'bad' };
      }
    case 'OrderManager.OrderCollected':
      return s.by === 'expired'
        ? { title: 'journey.step.collectedExpired', why: 'journey.why.collectedExpired', tone: 'good' }
        : { title: 'journey.step.collected', why: 'journey.why.collected', tone: 'good' };
    default:
      return null;
  }
}

const sources: Record<string, { name: MessageKey; help: MessageKey }> = {
  validator: { name: 'journey.source.validator', help: 'journey.source.validator.help' },
  'order-processor': { name: 'journey.source.orderProcessor', help: 'journey.source.orderProcessor.help' },
  'order-manager': { name: 'journey.source.orderManager', help: 'journey.source.orderManager.help' },
  'config-service': { name: 'journey.source.configService', help: 'journey.source.configService.help' },
};

/** afterScan says when a step happened, counted from the scan, in whole seconds. */
export function afterScan(afterMs: number, t: TranslateFn): string {
  const total = Math.max(0, Math.round(afterMs / 1000));
  if (total === 0) return t('journey.after.atScan');
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  if (minutes === 0) return t('journey.after.seconds', { seconds });
  if (seconds === 0) return t('journey.after.minutes', { minutes });
  return t('journey.after.minutesSeconds', { minutes, seconds });
}

/**
 * describeStep puts one step into words. A type this page does not know
 * (from a newer kiosk) keeps its name as the title and the kiosk's own
 * message as the reason.
 */
export function describeStep(s: JourneyStep, t: TranslateFn): StepWords {
  const w = wording(s);
  const params = { number: s.orderNumber ?? 0, drink: s.drink ?? '' };
  const src = sources[s.source];
  return {
    title: w ? t(w.title, params) : s.type,
    why: w ? t(w.why, params) : s.message,
    source: src ? t(src.name) : s.source,
    sourceHelp: src ? t(src.help) : '',
    after: afterScan(s.afterMs, t),
    tone: w?.tone ?? 'work',
  };
}
