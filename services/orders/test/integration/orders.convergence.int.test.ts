import { createLogger, type HandlerContext } from '@billing/runtime';
import { orderIdFor } from '../../src/domain/order-id';
import { sf, useOrders, stubStripe, waitForOrder, type Json } from './harness';

type AnyEvent = { id: string; type: string; created: number };

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** One subscription story; every call starts at the same second, so only ids differ between stories. */
function story(index: number, startAt: number) {
  const purchase = sf.subscriptionPurchase({ email: `story-${index}@example.com`, startAt });
  const refund = sf.fullRefund(purchase);
  const cancel = sf.cancellation(purchase);
  const steps = {
    C: purchase.events.checkoutCompleted as AnyEvent,
    I: purchase.events.invoicePaid as AnyEvent,
    R: refund.events.chargeRefunded as AnyEvent,
    X: cancel.events.subscriptionDeleted as AnyEvent,
  };
  // Every id and random string the story contains, mapped to a name, to compare stories.
  const names = new Map<string, string>([
    [orderIdFor(purchase.session.id), '<order>'],
    [purchase.session.id, '<session>'],
    [purchase.customerId, '<customer>'],
    [purchase.email, '<email>'],
    [purchase.subscription.id, '<subscription>'],
    [purchase.invoice.id, '<invoice>'],
    [purchase.invoice.hosted_invoice_url ?? '', '<invoice url>'],
    [purchase.paymentIntent.id, '<payment intent>'],
    [purchase.charge.id, '<charge>'],
    [refund.refund.id, '<refund>'],
    [purchase.price.id, '<price>'],
    [purchase.product.id, '<product>'],
    [purchase.lineItems.data[0]!.id, '<line>'],
    ...Object.entries(steps).map(([name, event]) => [event.id, `<event ${name}>`] as [string, string]),
  ]);
  return { purchase, refund, steps, names, orderId: orderIdFor(purchase.session.id) };
}

/** Replaces every id of the story, also inside longer strings (event ids embed them). */
function normalize(value: Json, names: Map<string, string>): Json {
  if (typeof value === 'string') {
    let out = value;
    for (const [id, name] of names) if (id && out.includes(id)) out = out.split(id).join(name);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => normalize(v, names));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v, names)]));
  }
  return value;
}

describe('exactly once, in any order', () => {
  const h = useOrders({ prefix: 'orders_convergence' });

  it('every ordering of checkout → invoice.paid → refund (→ cancel) converges to the same documents and events', async () => {
    const startAt = Math.floor(Date.now() / 1000) - 3600;
    const orderings = [
      ...permutations(['C', 'I', 'R'] as const),
      ...permutations(['C', 'I', 'R', 'X'] as const),
    ];
    const stories = orderings.map((ordering, i) => ({ ordering, ...story(i, startAt) }));
    for (const s of stories) {
      stubStripe(h.fake, s.purchase);
      stubStripe(h.fake, s.refund);
    }
    await Promise.all(
      stories.map(async (s) => {
        for (const step of s.ordering) await h.publishStripeEvent(s.steps[step]);
      }),
    );
    await h.settled(30_000);
    expect((await h.api('GET', '/admin/parked')).body.items).toEqual([]);

    const results = await Promise.all(
      stories.map(async (s) => {
        const final = s.ordering.includes('X') ? 'cancelled' : 'refunded';
        const order = await waitForOrder(h, s.orderId, (o) => o.status === final);
        const customer = (await h.api('GET', `/customers/${s.purchase.email}`)).body;
        const events = (await h.domainEvents(s.orderId)).map((e) => ({
          id: e.id,
          type: e.type,
          payload: e.payload,
        }));
        events.sort((a, b) => a.id.localeCompare(b.id));
        return { s, documents: normalize({ order, customer }, s.names), events: normalize(events, s.names) };
      }),
    );

    for (const withCancel of [false, true]) {
      const group = results.filter((r) => r.s.ordering.includes('X') === withCancel);
      const [first, ...rest] = group;
      for (const other of rest) {
        expect({ ordering: other.s.ordering.join(''), ...other.documents }).toEqual({
          ordering: other.s.ordering.join(''),
          ...first!.documents,
        });
        expect(other.events).toEqual(first!.events);
      }
      const price = first!.s.purchase.price.unit_amount;
      expect(first!.documents.order).toMatchObject({
        status: withCancel ? 'cancelled' : 'refunded',
        paymentStatus: 'refunded',
        amountPaid: price,
        amountRefunded: price,
        payments: [expect.objectContaining({ paymentId: '<invoice>', billingReason: 'subscription_create' })],
        refunds: [expect.objectContaining({ refundId: '<refund>', full: true })],
      });
      expect(first!.events.map((e: { type: string }) => e.type).sort()).toEqual(
        [
          'orders.order.confirmed',
          'orders.order.created',
          'orders.order.refunded',
          'orders.payment.recorded',
          ...(withCancel ? ['orders.order.cancelled'] : []),
        ].sort(),
      );
    }
  });

  it('the same event handled 5 times at once, for every event type, has one effect', async () => {
    const logger = createLogger({ service: 'orders-test', version: 'test', level: 'silent' });
    const handlers = h.main.service.handlers;
    const deliverFiveTimes = async (event: AnyEvent) => {
      const ctx: HandlerContext = {
        messageId: event.id,
        correlationId: event.id,
        subject: `stripe.event.${event.type}`,
        deliveryCount: 1,
        logger,
      };
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => handlers[event.type]!(event as never, ctx)),
      );
      expect(outcomes.map((o) => o.status)).not.toContain('retry');
    };

    // A paid one-time purchase with a physical line, then a partial and a full refund.
    await h.api('POST', '/catalog/products', { sku: 'MUG', name: 'Mug', kind: 'physical', stock: 10 });
    const purchase = sf.oneTimePurchase({
      email: 'five@example.com',
      lines: [{ quantity: 3, metadata: { sku: 'MUG' } }],
    });
    const partial = sf.partialRefund(purchase, { amount: 100 });
    const full = sf.fullRefund(partial);
    stubStripe(h.fake, purchase);
    h.fake.put(partial.refund as never, full.refund as never);
    // A subscription: purchase, a declined renewal, its recovery, cancellation.
    const sub = sf.subscriptionPurchase({ email: 'five-sub@example.com' });
    const declined = sf.paymentFailed(sub);
    const recovered = sf.reactivated(declined);
    const cancelled = sf.cancellation(recovered);
    for (const step of [sub, declined, recovered]) stubStripe(h.fake, step);
    // A delayed payment that fails, and one that succeeds.
    const asyncFailed = sf.asyncPayment({
      email: 'five-ach@example.com',
      outcome: 'failed',
      lines: [{ metadata: { sku: 'EBOOK' } }],
    });
    const asyncOk = sf.asyncPayment({
      email: 'five-ach-ok@example.com',
      lines: [{ metadata: { sku: 'EBOOK' } }],
    });
    stubStripe(h.fake, asyncFailed);
    stubStripe(h.fake, asyncOk);

    const events: AnyEvent[] = [
      purchase.events.checkoutCompleted,
      purchase.events.paymentIntentSucceeded,
      partial.events.chargeRefunded,
      full.events.chargeRefunded,
      sub.events.checkoutCompleted,
      sub.events.invoicePaid,
      declined.events.paymentIntentPaymentFailed,
      recovered.events.invoicePaid,
      cancelled.events.subscriptionDeleted,
      asyncFailed.events.checkoutCompleted,
      asyncFailed.events.asyncPaymentFailed!,
      asyncOk.events.checkoutCompleted,
      asyncOk.events.asyncPaymentSucceeded!,
    ];
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set([
        'checkout.session.completed',
        'checkout.session.async_payment_succeeded',
        'checkout.session.async_payment_failed',
        'invoice.paid',
        'payment_intent.succeeded',
        'payment_intent.payment_failed',
        'customer.subscription.deleted',
        'charge.refunded',
      ]),
    );
    for (const event of events) await deliverFiveTimes(event);

    const one = await h.order(orderIdFor(purchase.session.id));
    expect(one).toMatchObject({ status: 'refunded', amountRefunded: purchase.charge.amount, oversold: [] });
    expect(one!.payments).toHaveLength(1);
    expect(one!.refunds).toHaveLength(2);
    expect((await h.api('GET', '/catalog/products/MUG')).body.stock).toBe(7);
    const two = await h.order(orderIdFor(sub.session.id));
    expect(two).toMatchObject({ status: 'cancelled', paymentStatus: 'paid' });
    expect(two!.payments).toHaveLength(2);
    expect((await waitForOrder(h, orderIdFor(asyncFailed.session.id), () => true)).status).toBe(
      'payment_failed',
    );
    expect((await waitForOrder(h, orderIdFor(asyncOk.session.id), () => true)).status).toBe('confirmed');

    for (const email of [
      'five@example.com',
      'five-sub@example.com',
      'five-ach@example.com',
      'five-ach-ok@example.com',
    ]) {
      const customer = (await h.api('GET', `/customers/${email}`)).body;
      expect(customer.orders).toHaveLength(1);
    }
    // Each domain event reached the bus once.
    const ids = (await h.domainEvents()).map((e) => e.id);
    expect(ids.length).toBe(new Set(ids).size);
    const expected = [
      `orders.order.created:${orderIdFor(purchase.session.id)}`,
      `orders.order.confirmed:${orderIdFor(purchase.session.id)}`,
      `orders.payment.recorded:${purchase.paymentIntent.id}`,
      `orders.order.refunded:${partial.refund.id}`,
      `orders.order.refunded:${full.refund.id}`,
      `orders.payment.recorded:${sub.invoice.id}`,
      `orders.payment.failed:${declined.openPaymentIntentId}`,
      `orders.payment.recorded:${recovered.invoice.id}`,
      `orders.order.cancelled:${orderIdFor(sub.session.id)}`,
      `orders.payment.failed:${asyncFailed.paymentIntent.id}`,
      `orders.order.confirmed:${orderIdFor(asyncOk.session.id)}`,
    ];
    for (const id of expected) expect(ids).toContain(id);
  });

  it('duplicates redelivered through JetStream to two replicas make one order', async () => {
    const second = await h.replica();
    const purchase = sf.oneTimePurchase({
      email: 'replicas@example.com',
      lines: [{ metadata: { sku: 'EBOOK' } }],
    });
    stubStripe(h.fake, purchase);
    const event = purchase.events.checkoutCompleted;
    // Stripe redelivers with the same event id after JetStream's duplicate window: new message ids.
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        h.publishStripeEvent(event, i === 0 ? event.id : `${event.id}:redelivery-${i}`),
      ),
    );
    await h.settled();
    const orderId = orderIdFor(purchase.session.id);
    const orders = (await h.api('GET', '/orders?email=replicas@example.com')).body.items;
    expect(orders.map((o: { orderId: string }) => o.orderId)).toEqual([orderId]);
    const events = await h.domainEvents(orderId);
    expect(events.map((e) => e.type).sort()).toEqual(['orders.order.confirmed', 'orders.order.created']);
    await second.stop();
  });
});
