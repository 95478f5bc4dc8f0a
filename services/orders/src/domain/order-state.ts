/**
 * An order's status is derived from the facts stored about it, never updated in place: each fact
 * (confirmation, payment, failure, refund, cancellation) is inserted once under a unique key, and
 * this fold replays them in Stripe's time order. So the same facts give the same order whatever
 * order the events arrived in, and a late, older event takes its place in history instead of
 * moving the status backwards.
 *
 * @see ../../README.md "Exactly once, in any order"
 */
import type { OrderStatus, PaymentFailureReasonV1 } from '@billing/contracts';

export type FactKind = 'confirmed' | 'payment_failed' | 'cancelled';
export type PaymentStatus = 'unpaid' | 'paid' | 'failed' | 'partially_refunded' | 'refunded';

export interface FactInput {
  key: string;
  kind: FactKind;
  /** Stripe's time of the event that established the fact. */
  at: Date;
  reason?: PaymentFailureReasonV1 | null;
  paymentIntentId?: string | null;
  cancellationReason?: string | null;
}

export interface PaymentInput {
  paymentId: string;
  amount: number;
  paidAt: Date;
  periodEnd: Date | null;
}

export interface RefundInput {
  refundId: string;
  amount: number;
  full: boolean;
  refundedAt: Date;
}

export interface AllocationInput {
  lineId: string;
  sku: string;
  requested: number;
  allocated: number;
}

export interface PaymentFailure extends PaymentFailureReasonV1 {
  paymentIntentId: string | null;
  failedAt: Date;
}

export interface DerivedOrderState {
  status: OrderStatus;
  /** Stripe time of the fact that set the current status; null while pending. */
  statusAt: Date | null;
  paymentStatus: PaymentStatus;
  confirmedAt: Date | null;
  cancelledAt: Date | null;
  cancellationReason: string | null;
  amountPaid: number;
  amountRefunded: number;
  currentPeriodEnd: Date | null;
  lastPaymentFailure: PaymentFailure | null;
  /** Physical lines that were short of stock when the order was confirmed. */
  oversold: AllocationInput[];
}

type Entry =
  | { rank: 0; at: Date; key: string; type: 'confirmed' }
  | { rank: 1; at: Date; key: string; type: 'payment'; payment: PaymentInput }
  | { rank: 2; at: Date; key: string; type: 'payment_failed'; fact: FactInput }
  | { rank: 3; at: Date; key: string; type: 'refund'; refund: RefundInput }
  | { rank: 4; at: Date; key: string; type: 'cancelled'; fact: FactInput };

function timeline(
  facts: readonly FactInput[],
  payments: readonly PaymentInput[],
  refunds: readonly RefundInput[],
): Entry[] {
  const entries: Entry[] = [];
  for (const fact of facts) {
    if (fact.kind === 'confirmed') entries.push({ rank: 0, at: fact.at, key: fact.key, type: 'confirmed' });
    if (fact.kind === 'payment_failed')
      entries.push({ rank: 2, at: fact.at, key: fact.key, type: 'payment_failed', fact });
    if (fact.kind === 'cancelled')
      entries.push({ rank: 4, at: fact.at, key: fact.key, type: 'cancelled', fact });
  }
  for (const payment of payments) {
    entries.push({ rank: 1, at: payment.paidAt, key: payment.paymentId, type: 'payment', payment });
  }
  for (const refund of refunds)
    entries.push({ rank: 3, at: refund.refundedAt, key: refund.refundId, type: 'refund', refund });
  // Stripe time first; same-second facts in the order a purchase goes through; then by key, so
  // the result never depends on the order the facts were read in.
  return entries.sort(
    (a, b) => a.at.getTime() - b.at.getTime() || a.rank - b.rank || a.key.localeCompare(b.key),
  );
}

export function deriveOrderState(input: {
  initialPeriodEnd: Date | null;
  facts: readonly FactInput[];
  payments: readonly PaymentInput[];
  refunds: readonly RefundInput[];
  allocations: readonly AllocationInput[];
}): DerivedOrderState {
  const state: DerivedOrderState = {
    status: 'pending_payment',
    statusAt: null,
    paymentStatus: 'unpaid',
    confirmedAt: null,
    cancelledAt: null,
    cancellationReason: null,
    amountPaid: 0,
    amountRefunded: 0,
    currentPeriodEnd: input.initialPeriodEnd,
    lastPaymentFailure: null,
    oversold: input.allocations
      .filter((a) => a.allocated < a.requested)
      .map(({ lineId, sku, requested, allocated }) => ({ lineId, sku, requested, allocated }))
      .sort((a, b) => a.lineId.localeCompare(b.lineId)),
  };
  const setStatus = (status: OrderStatus, at: Date) => {
    if (state.status === status) return;
    state.status = status;
    state.statusAt = at;
  };

  for (const entry of timeline(input.facts, input.payments, input.refunds)) {
    switch (entry.type) {
      case 'confirmed':
        state.confirmedAt ??= entry.at;
        if (state.paymentStatus === 'unpaid' || state.paymentStatus === 'failed')
          state.paymentStatus = 'paid';
        if (state.status === 'pending_payment' || state.status === 'payment_failed')
          setStatus('confirmed', entry.at);
        break;
      case 'payment':
        state.amountPaid += entry.payment.amount;
        state.paymentStatus = 'paid';
        if (
          entry.payment.periodEnd &&
          (!state.currentPeriodEnd || entry.payment.periodEnd > state.currentPeriodEnd)
        ) {
          state.currentPeriodEnd = entry.payment.periodEnd;
        }
        // A successful retry after a failed renewal: the order is back in good standing. A payment
        // never confirms an order on its own (Checkout's own event does that).
        if (state.status === 'payment_failed' && state.confirmedAt) setStatus('confirmed', entry.at);
        break;
      case 'payment_failed':
        state.paymentStatus = 'failed';
        state.lastPaymentFailure = {
          code: entry.fact.reason?.code ?? null,
          declineCode: entry.fact.reason?.declineCode ?? null,
          message: entry.fact.reason?.message ?? null,
          type: entry.fact.reason?.type ?? null,
          paymentIntentId: entry.fact.paymentIntentId ?? null,
          failedAt: entry.at,
        };
        if (state.status === 'pending_payment' || state.status === 'confirmed')
          setStatus('payment_failed', entry.at);
        break;
      case 'refund':
        state.amountRefunded += entry.refund.amount;
        state.paymentStatus = entry.refund.full ? 'refunded' : 'partially_refunded';
        if (entry.refund.full) setStatus('refunded', entry.at);
        else if (state.status !== 'refunded' && state.status !== 'cancelled')
          setStatus('partially_refunded', entry.at);
        break;
      case 'cancelled':
        state.cancelledAt ??= entry.at;
        state.cancellationReason ??= entry.fact.cancellationReason ?? null;
        setStatus('cancelled', entry.at);
        break;
      default: {
        const exhaustive: never = entry;
        throw new Error(`unknown timeline entry ${JSON.stringify(exhaustive)}`);
      }
    }
  }
  return state;
}
