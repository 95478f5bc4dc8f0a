import { deriveOrderState, type FactInput, type PaymentInput, type RefundInput } from './order-state';

const t = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes));
const confirmed = (at: number): FactInput => ({ key: 'confirmed:o', kind: 'confirmed', at: t(at) });
const failed = (at: number, key = `failed-${at}`): FactInput => ({
  key,
  kind: 'payment_failed',
  at: t(at),
  paymentIntentId: 'pi_1',
  reason: {
    code: 'card_declined',
    declineCode: 'insufficient_funds',
    message: 'declined',
    type: 'card_error',
  },
});
const cancelled = (at: number): FactInput => ({
  key: 'cancelled:o',
  kind: 'cancelled',
  at: t(at),
  cancellationReason: 'cancellation_requested',
});
const payment = (at: number, amount = 1000, periodEnd: Date | null = null): PaymentInput => ({
  paymentId: `in_${at}`,
  amount,
  paidAt: t(at),
  periodEnd,
});
const refund = (at: number, amount: number, full: boolean): RefundInput => ({
  refundId: `re_${at}`,
  amount,
  full,
  refundedAt: t(at),
});

function derive(input: {
  facts?: FactInput[];
  payments?: PaymentInput[];
  refunds?: RefundInput[];
  initialPeriodEnd?: Date | null;
}) {
  return deriveOrderState({
    initialPeriodEnd: input.initialPeriodEnd ?? null,
    facts: input.facts ?? [],
    payments: input.payments ?? [],
    refunds: input.refunds ?? [],
    allocations: [],
  });
}

/** Every ordering of the items. */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('order state from facts', () => {
  it('is pending until confirmed', () => {
    expect(derive({})).toMatchObject({ status: 'pending_payment', paymentStatus: 'unpaid', statusAt: null });
    expect(derive({ facts: [confirmed(1)] })).toMatchObject({
      status: 'confirmed',
      paymentStatus: 'paid',
      confirmedAt: t(1),
      statusAt: t(1),
    });
  });

  it('does not confirm on a payment alone, but records it', () => {
    expect(derive({ payments: [payment(1)] })).toMatchObject({
      status: 'pending_payment',
      paymentStatus: 'paid',
      amountPaid: 1000,
    });
  });

  it('moves the period end forward only', () => {
    const early = new Date('2026-02-01T00:00:00Z');
    const late = new Date('2026-03-01T00:00:00Z');
    expect(derive({ initialPeriodEnd: late, payments: [payment(1, 1000, early)] }).currentPeriodEnd).toEqual(
      late,
    );
    expect(derive({ initialPeriodEnd: early, payments: [payment(1, 1000, late)] }).currentPeriodEnd).toEqual(
      late,
    );
  });

  it('fails a payment, then recovers it with a later payment', () => {
    const failedState = derive({ facts: [confirmed(1), failed(5)] });
    expect(failedState).toMatchObject({ status: 'payment_failed', paymentStatus: 'failed' });
    expect(failedState.lastPaymentFailure).toEqual({
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'declined',
      type: 'card_error',
      paymentIntentId: 'pi_1',
      failedAt: t(5),
    });
    expect(derive({ facts: [confirmed(1), failed(5)], payments: [payment(9)] })).toMatchObject({
      status: 'confirmed',
      paymentStatus: 'paid',
    });
  });

  it('puts a late, older failure in its place instead of moving the status backwards', () => {
    // A decline at checkout (minute 1) delivered after the paid checkout (minute 3).
    expect(derive({ facts: [confirmed(3), failed(1)] })).toMatchObject({
      status: 'confirmed',
      paymentStatus: 'paid',
    });
  });

  it('refunds partially, then fully', () => {
    const partial = derive({ facts: [confirmed(1)], refunds: [refund(5, 300, false)] });
    expect(partial).toMatchObject({
      status: 'partially_refunded',
      paymentStatus: 'partially_refunded',
      amountRefunded: 300,
    });
    const full = derive({ facts: [confirmed(1)], refunds: [refund(5, 300, false), refund(6, 700, true)] });
    expect(full).toMatchObject({
      status: 'refunded',
      paymentStatus: 'refunded',
      amountRefunded: 1000,
      statusAt: t(6),
    });
  });

  it('ends cancelled whatever came before', () => {
    expect(derive({ facts: [confirmed(1), cancelled(9)], refunds: [refund(5, 1000, true)] })).toMatchObject({
      status: 'cancelled',
      cancelledAt: t(9),
      cancellationReason: 'cancellation_requested',
      amountRefunded: 1000,
    });
  });

  it('gives the same state for every order the facts are read in', () => {
    const facts = [confirmed(2), failed(4), cancelled(9)];
    const payments = [payment(1, 1000), payment(5, 1000)];
    const refunds = [refund(7, 1000, true)];
    const expected = derive({ facts, payments, refunds });
    for (const f of permutations(facts)) {
      for (const p of permutations(payments)) {
        expect(derive({ facts: f, payments: p, refunds })).toEqual(expected);
      }
    }
    expect(expected).toMatchObject({ status: 'cancelled', amountPaid: 2000, amountRefunded: 1000 });
  });

  it('lists lines short of stock', () => {
    const state = deriveOrderState({
      initialPeriodEnd: null,
      facts: [],
      payments: [],
      refunds: [],
      allocations: [
        { lineId: 'li_b', sku: 'TSHIRT', requested: 3, allocated: 1 },
        { lineId: 'li_a', sku: 'MUG', requested: 1, allocated: 1 },
      ],
    });
    expect(state.oversold).toEqual([{ lineId: 'li_b', sku: 'TSHIRT', requested: 3, allocated: 1 }]);
  });
});
