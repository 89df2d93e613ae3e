import { describe, expect, it } from 'vitest';
import { createTranslator } from '../../lib/i18n';
import { afterScan, asJourney, describeStep, type JourneyStep } from './model';

const en = createTranslator('en').t;
const de = createTranslator('de').t;

const step = (type: string, more: Partial<JourneyStep> = {}): JourneyStep => ({
  type,
  source: 'order-manager',
  time: '2026-06-03T09:00:00Z',
  afterMs: 0,
  message: 'The kiosk says so.',
  ...more,
});

describe('afterScan', () => {
  it('counts from the scan in minutes and seconds', () => {
    expect(afterScan(0, en)).toBe('at the scan');
    expect(afterScan(400, en)).toBe('at the scan');
    expect(afterScan(42_000, en)).toBe('42 s after the scan');
    expect(afterScan(120_000, en)).toBe('2 min after the scan');
    expect(afterScan(125_400, en)).toBe('2 min 5 s after the scan');
    expect(afterScan(125_400, de)).toBe('2 min 5 s nach dem Scannen');
  });
});

describe('describeStep', () => {
  it('says what happened, who did it and why', () => {
    const w = describeStep(step('Validator.NewOrder', { source: 'validator' }), en);
    expect(w.title).toBe('The QR code was scanned');
    expect(w.source).toBe('QR validator');
    expect(w.sourceHelp).toBe('checks the QR code and hands out its drinks');
    expect(w.why).toMatch(/drinks left/);
    expect(w.tone).toBe('start');
  });
  it('names the drink and the number once the drink is chosen', () => {
    const w = describeStep(step('OrderManager.WaitingCompletion', { orderNumber: 7, drink: 'Mocha' }), en);
    expect(w.title).toBe('Ordered: Mocha, number 7');
    expect(describeStep(step('OrderManager.WaitingCompletion', { orderNumber: 7 }), en).title).toBe('Ordered: number 7');
  });
  it('tells make from unmake', () => {
    expect(describeStep(step('OrderManager.MakeOrder', { action: 'make' }), en).title).toBe('A barista started the drink');
    expect(describeStep(step('OrderManager.MakeOrder', { action: 'unmake' }), en).title).toBe('Back in the queue');
  });
  it('tells who cancelled and whose time ran out', () => {
    expect(describeStep(step('OrderManager.OrderCancelled', { by: 'customer' }), en).title).toBe('Cancelled on the phone');
    expect(describeStep(step('OrderManager.OrderCancelled', { by: 'staff' }), en).title).toBe('Cancelled by the baristas');
    const customer = describeStep(step('OrderProcessor.OrderTimeOut', { cause: 'customer', source: 'order-processor' }), en);
    expect(customer.title).toBe('Time to choose ran out');
    expect(customer.source).toBe('Order workflow');
    expect(customer.tone).toBe('bad');
    expect(describeStep(step('OrderProcessor.OrderTimeOut', { cause: 'barista' }), en).title).toBe('The baristas ran out of time');
  });
  it('tells how the workflow finished and how the drink left the ready list', () => {
    expect(describeStep(step('OrderProcessor.orderFinished', { outcome: 'completed' }), en).title).toBe('The order is complete');
    expect(describeStep(step('OrderProcessor.orderFinished', { outcome: 'timed_out' }), en).title).toBe('The order ended: timed out');
    expect(describeStep(step('OrderProcessor.orderFinished', { outcome: 'cancelled' }), en).title).toBe('The order ended: cancelled');
    expect(describeStep(step('OrderManager.OrderCollected', { by: 'staff' }), en).title).toBe('Handed over');
    expect(describeStep(step('OrderManager.OrderCollected', { by: 'expired' }), en).title).toBe('Left the ready list');
  });
  it('speaks German too', () => {
    expect(describeStep(step('OrderManager.OrderCompleted'), de).title).toBe('Das Getränk war fertig');
    expect(describeStep(step('OrderManager.OrderCompleted'), de).source).toBe('Bestellverwaltung');
  });
  it('keeps an unknown step’s name and the kiosk’s own words', () => {
    const w = describeStep(step('OrderManager.Teleported', { source: 'elsewhere', message: 'It moved.' }), en);
    expect(w).toMatchObject({ title: 'OrderManager.Teleported', why: 'It moved.', source: 'elsewhere', sourceHelp: '' });
  });
});

describe('asJourney', () => {
  it('keeps the steps in the log’s order and their details', () => {
    const j = asJourney({
      order: { id: 'o1', customerName: 'Zoë', state: 'completed', number: 1 },
      steps: [
        { type: 'Validator.NewOrder', source: 'validator', time: 't', afterMs: 0, message: 'm' },
        { type: 'OrderManager.MakeOrder', source: 'order-manager', time: 't', afterMs: 5000, message: 'm', action: 'make' },
        'nonsense',
        { type: 'OrderManager.OrderCompleted', source: 'order-manager', time: 't', afterMs: 3000, message: 'm' },
      ],
    });
    expect(j?.steps.map((s) => s.type)).toEqual(['Validator.NewOrder', 'OrderManager.MakeOrder', 'OrderManager.OrderCompleted']);
    expect(j?.steps[1]?.action).toBe('make');
  });
  it('refuses what is not a journey', () => {
    expect(asJourney({ steps: [] })).toBeNull();
    expect(asJourney({ order: {}, steps: [] })).toBeNull();
    expect(asJourney(null)).toBeNull();
  });
});
