import type { StripeEventShape } from '@billing/contracts';
import { createLogger, type HandlerContext, type OutboxEvent } from '@billing/runtime';
import { stripeFixtures as fx } from '@billing/testkit';
import type { Order } from '../db/order.model';
import type { OrderFact } from '../db/order-fact.model';
import type { Refund } from '../db/refund.model';
import { deriveOrderState } from '../domain/order-state';
import { OrderEvents } from '../domain/order-events';
import { StripeApiError } from '../errors';
import type { RefundWire } from '../stripe/stripe-objects';
import { handleChargeRefunded } from './charge-refunded.handler';
import type { OrdersHandlerDeps } from './deps';
import { stripeHandlers } from './index';
import { handleSubscriptionDeleted } from './subscription-deleted.handler';

const ctx: HandlerContext = {
  messageId: 'msg_1',
  correlationId: 'evt_1',
  subject: 'stripe.events.test',
  deliveryCount: 1,
  logger: createLogger({ service: 'test', version: 'test', level: 'silent' }),
};

function orderOf(fields: Partial<Order>): Order {
  return {
    orderId: 'ord_1',
    checkoutSessionId: 'cs_1',
    mode: 'payment',
    livemode: false,
    customerEmail: 'ada@example.com',
    customerName: null,
    stripeCustomerId: 'cus_1',
    cartId: null,
    metadata: {},
    subscriptionId: null,
    paymentIntentId: null,
    amountSubtotal: 2000,
    amountTotal: 2000,
    currency: 'usd',
    lines: [],
    initialPeriodEnd: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    revision: 0,
    ...deriveOrderState({ initialPeriodEnd: null, facts: [], payments: [], refunds: [], allocations: [] }),
    ...fields,
  };
}

/** Fakes that record what a handler stored, restocked and emitted; the events are built for real. */
function fakes(options: { order: Order | null; refunds?: RefundWire[]; restockOnRefund?: boolean }) {
  const emitted: OutboxEvent[] = [];
  const refunds: Refund[] = [];
  const facts: OrderFact[] = [];
  const restocked: string[] = [];
  const stripeFailure: { error: Error | null } = { error: null };
  const deps: OrdersHandlerDeps = {
    orders: {
      bySubscription: async () => options.order,
      byPaymentIntent: async () => options.order,
    },
    ledger: {
      addFact: async (fact) => (facts.push(fact), { fact, inserted: true }),
      addPayment: async (payment) => ({ payment, inserted: true }),
      addRefund: async (refund) => (refunds.push(refund), { refund, inserted: true }),
      getFact: async () => null,
    },
    book: {
      refresh: async (_id, known) => ({
        ...known!,
        status: refunds.some((r) => r.full) ? 'refunded' : known!.status,
      }),
    },
    intake: { ensureOrder: async () => ({ order: options.order!, created: false }) as never },
    inventory: {
      allocate: async () => undefined,
      restock: async (order) => void restocked.push(order.orderId),
    },
    links: {
      resolve: async () => ({ order: options.order, invoice: null }),
      invoiceOf: async () => null,
    },
    events: new OrderEvents({ emit: async (events) => void emitted.push(...events) }),
    stripe: {
      refundsOfCharge: async () => {
        if (stripeFailure.error) throw stripeFailure.error;
        return options.refunds ?? [];
      },
      paymentFailure: async () => ({ code: null, declineCode: null, message: null, type: null }),
    },
    restockOnRefund: options.restockOnRefund ?? true,
  };
  return { deps, emitted, refunds, facts, restocked, stripeFailure };
}

const asEvent = (event: unknown) => event as StripeEventShape;

describe('orders handlers', () => {
  const purchase = fx.oneTimePurchase({ email: 'ada@example.com' });
  const refunded = fx.fullRefund(purchase);
  const order = orderOf({ paymentIntentId: purchase.paymentIntent.id });

  it('charge.refunded: records the refund once, restocks, and announces orders.order.refunded', async () => {
    const { deps, emitted, refunds, restocked } = fakes({ order, refunds: [refunded.refund as RefundWire] });
    expect(await handleChargeRefunded(asEvent(refunded.events.chargeRefunded), deps, ctx)).toEqual({
      status: 'done',
    });
    expect(refunds).toEqual([
      expect.objectContaining({ refundId: refunded.refund.id, orderId: 'ord_1', full: true }),
    ]);
    expect(restocked).toEqual(['ord_1']);
    expect(emitted.map((e) => e.input.id)).toEqual([`orders.order.refunded:${refunded.refund.id}`]);
    expect(emitted[0]!.input).toMatchObject({
      correlationId: 'evt_1',
      causationId: 'msg_1',
      payload: {
        orderId: 'ord_1',
        customerEmail: 'ada@example.com',
        full: true,
        amount: refunded.refund.amount,
      },
    });
  });

  it('charge.refunded: a partial refund keeps the stock', async () => {
    const partial = fx.partialRefund(purchase);
    const { deps, emitted, restocked } = fakes({ order, refunds: [partial.refund as RefundWire] });
    await handleChargeRefunded(asEvent(partial.events.chargeRefunded), deps, ctx);
    expect(restocked).toEqual([]);
    expect(emitted[0]!.input.payload).toMatchObject({ full: false, amount: partial.refund.amount });
  });

  it('charge.refunded before its order is known: retried, nothing recorded or announced', async () => {
    const { deps, emitted, refunds } = fakes({ order: null });
    const outcome = await handleChargeRefunded(asEvent(refunded.events.chargeRefunded), deps, ctx);
    expect(outcome).toMatchObject({ status: 'retry' });
    expect(refunds).toEqual([]);
    expect(emitted).toEqual([]);
  });

  it('a Stripe API failure is a retry outcome of the bound handler, with its message', async () => {
    const { deps, stripeFailure, emitted } = fakes({ order });
    stripeFailure.error = new StripeApiError('refunds.list', 503);
    const bound = stripeHandlers(deps)['charge.refunded']!;
    expect(await bound(asEvent(refunded.events.chargeRefunded), ctx)).toEqual({
      status: 'retry',
      reason: 'stripe refunds.list failed (503)',
    });
    expect(emitted).toEqual([]);
  });

  describe('customer.subscription.deleted', () => {
    const subscription = fx.subscriptionPurchase({ email: 'ada@example.com' });
    const deleted = fx.cancellation(subscription).events.subscriptionDeleted;
    const subOrder = orderOf({ mode: 'subscription', subscriptionId: subscription.subscription.id });

    it('cancels the order once and announces orders.order.cancelled', async () => {
      const { deps, emitted, facts, restocked } = fakes({ order: subOrder, restockOnRefund: false });
      expect(await handleSubscriptionDeleted(asEvent(deleted), deps, ctx)).toEqual({ status: 'done' });
      expect(facts).toEqual([expect.objectContaining({ key: 'cancelled:ord_1', kind: 'cancelled' })]);
      expect(restocked).toEqual([]);
      expect(emitted.map((e) => e.input.id)).toEqual(['orders.order.cancelled:ord_1']);
      expect(emitted[0]!.input.payload).toMatchObject({
        orderId: 'ord_1',
        subscriptionId: subscription.subscription.id,
      });
    });

    it('waits (retry) for an order it does not know yet', async () => {
      const { deps, emitted } = fakes({ order: null });
      expect(await handleSubscriptionDeleted(asEvent(deleted), deps, ctx)).toMatchObject({ status: 'retry' });
      expect(emitted).toEqual([]);
    });
  });
});
