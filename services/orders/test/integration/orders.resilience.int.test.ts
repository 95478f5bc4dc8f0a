import { maxDeliveries } from '@billing/runtime';
import { waitFor } from '@billing/testkit';
import { orderIdFor } from '../../src/domain/order-id';
import { TEST_CATALOG, sf, useOrders, stubStripe, waitForDomainEvent, waitForOrder } from './harness';

const physical = (sku: string, stock: number) => ({
  sku,
  name: `${sku} (physical)`,
  kind: 'physical' as const,
  stock,
});

describe('Stripe API outages, unmapped products', () => {
  const h = useOrders({ prefix: 'orders_outage' });

  it('Stripe down: nothing is written and the event is retried; Stripe up: the whole order, all pages of lines', async () => {
    // 105 line items: two pages of Stripe's maximum page size.
    const purchase = sf.oneTimePurchase({
      email: 'outage@example.com',
      lines: Array.from({ length: 105 }, (_, i) => ({
        productName: `Item ${i}`,
        unitAmount: 100,
        metadata: { sku: 'EBOOK' },
      })),
    });
    stubStripe(h.fake, purchase);
    h.fake.failNext(1_000, 503);
    const before = h.fake.requests.length;
    await h.publishStripeEvent(purchase.events.checkoutCompleted);
    await waitFor(() => h.fake.requests.length - before >= 3, { what: 'three failed attempts' });

    const orderId = orderIdFor(purchase.session.id);
    expect((await h.api('GET', `/orders/${orderId}`)).status).toBe(404);
    expect((await h.api('GET', '/customers/outage@example.com')).status).toBe(404);
    expect(h.logs.some((l) => l.msg === 'retry scheduled' && String(l.reason).includes('stripe'))).toBe(true);

    h.fake.failNext(0);
    const order = await waitForOrder(h, orderId, (o) => o.status === 'confirmed');
    expect(order.lines).toHaveLength(105);
    expect(order.lines.every((l) => l.sku === 'EBOOK')).toBe(true);
    const pages = h.fake.requests.filter(
      (r) =>
        r.path === `/v1/checkout/sessions/${purchase.session.id}/line_items` && r.query.has('starting_after'),
    );
    expect(pages.length).toBeGreaterThanOrEqual(1);
    await waitForDomainEvent(h, `orders.order.confirmed:${orderId}`);
  });

  it('a refund while Stripe’s refund list is down is retried, then applied', async () => {
    const purchase = sf.oneTimePurchase({
      email: 'refund-outage@example.com',
      lines: [{ metadata: { sku: 'EBOOK' } }],
    });
    stubStripe(h.fake, purchase);
    await h.publishStripeEvents(purchase.ordered);
    const orderId = orderIdFor(purchase.session.id);
    await waitForOrder(h, orderId, (o) => o.status === 'confirmed');

    const refund = sf.fullRefund(purchase);
    stubStripe(h.fake, refund);
    h.fake.failNext(2, 500);
    await h.publishStripeEvent(refund.events.chargeRefunded);
    const order = await waitForOrder(h, orderId, (o) => o.status === 'refunded');
    expect(order.refunds).toEqual([expect.objectContaining({ refundId: refund.refund.id, full: true })]);
  });

  it('a line whose product is not in the catalog stays on the order, flagged unmapped, with a warning', async () => {
    const purchase = sf.oneTimePurchase({
      email: 'unmapped@example.com',
      lines: [
        { productName: 'Mystery box', unitAmount: 1200 },
        { productName: 'Field guide', metadata: { sku: 'EBOOK' } },
      ],
    });
    stubStripe(h.fake, purchase);
    await h.publishStripeEvents(purchase.ordered);
    const orderId = orderIdFor(purchase.session.id);
    const order = await waitForOrder(h, orderId, (o) => o.status === 'confirmed');
    const mystery = purchase.lineItems.data[0]!;
    expect(order.lines[0]).toEqual(
      expect.objectContaining({
        lineId: mystery.id,
        description: 'Mystery box',
        stripePriceId: purchase.prices[0]!.id,
        stripeProductId: purchase.products[0]!.id,
        sku: null,
        kind: null,
        unmapped: true,
      }),
    );
    expect(order.lines[1]).toEqual(expect.objectContaining({ sku: 'EBOOK', unmapped: false }));
    expect(h.logs).toContainEqual(
      expect.objectContaining({ level: 40, msg: 'line not in catalog', orderId, lineId: mystery.id }),
    );
    const confirmed = await waitForDomainEvent(h, `orders.order.confirmed:${orderId}`);
    expect(
      (confirmed.payload as { order: { lines: Array<{ unmapped: boolean }> } }).order.lines.map(
        (l) => l.unmapped,
      ),
    ).toEqual([true, false]);
  });

  it('maps lines by Stripe price or product id set through the admin API', async () => {
    const purchase = sf.oneTimePurchase({
      email: 'mapped-by-id@example.com',
      lines: [{ productName: 'Course A' }, { productName: 'Course B' }],
    });
    await h.api('POST', '/catalog/products', {
      sku: 'COURSE-A',
      name: 'Course A',
      kind: 'digital',
      stripePriceIds: [purchase.prices[0]!.id],
    });
    await h.api('POST', '/catalog/products', {
      sku: 'COURSE-B',
      name: 'Course B',
      kind: 'digital',
      stripeProductIds: [purchase.products[1]!.id],
    });
    stubStripe(h.fake, purchase);
    await h.publishStripeEvents(purchase.ordered);
    const order = await waitForOrder(h, orderIdFor(purchase.session.id), (o) => o.status === 'confirmed');
    expect(order.lines.map((l) => l.sku)).toEqual(['COURSE-A', 'COURSE-B']);
  });

  it('parks a checkout session without any email at once', async () => {
    const purchase = sf.oneTimePurchase({ lines: [{ metadata: { sku: 'EBOOK' } }] });
    const session = { ...purchase.session, customer_details: null, customer_email: null };
    const event = sf.makeEvent('checkout.session.completed', session);
    stubStripe(h.fake, purchase);
    await h.publishStripeEvent(event);
    const parked = await waitFor(async () => {
      const items = (await h.api('GET', '/admin/parked')).body.items as Array<{
        messageId: string;
        kind: string;
        reason: string;
        deliveryCount: number;
      }>;
      return items.find((p) => p.messageId === event.id);
    });
    // Parked on its first delivery: it can never succeed, so it is not retried.
    expect(parked).toMatchObject({ kind: 'permanent', deliveryCount: 1 });
    expect(parked.reason).toMatch(/no customer email/);
    expect((await h.api('GET', `/orders/${orderIdFor(session.id)}`)).status).toBe(404);
  });
});

describe('inventory', () => {
  const h = useOrders({
    prefix: 'orders_inventory',
    catalog: [...TEST_CATALOG, physical('TSHIRT', 3), physical('MUG', 2)],
  });

  it('takes confirmed physical lines from stock and records an oversell instead of going negative', async () => {
    const shirts = (email: string, quantity: number) =>
      sf.oneTimePurchase({
        email,
        lines: [{ productName: 'T-shirt', quantity, unitAmount: 2500, metadata: { sku: 'TSHIRT' } }],
      });
    // Five orders race for three shirts (2 + 1 + 1 + 1 + 1 = 6 wanted).
    const purchases = [
      shirts('s1@example.com', 2),
      ...['s2', 's3', 's4', 's5'].map((n) => shirts(`${n}@example.com`, 1)),
    ];
    for (const p of purchases) stubStripe(h.fake, p);
    await Promise.all(purchases.map((p) => h.publishStripeEvent(p.events.checkoutCompleted)));
    const orders = await Promise.all(
      purchases.map((p) => waitForOrder(h, orderIdFor(p.session.id), (o) => o.status === 'confirmed')),
    );
    await h.settled();
    const final = await Promise.all(orders.map((o) => h.order(o.orderId)));
    const short = final.flatMap((o) => o!.oversold);
    const wanted = 6;
    const missing = short.reduce((sum, s) => sum + (s.requested - s.allocated), 0);
    expect(wanted - missing).toBe(3);
    expect(short.every((s) => s.sku === 'TSHIRT' && s.allocated < s.requested)).toBe(true);
    expect((await h.api('GET', '/catalog/products/TSHIRT')).body.stock).toBe(0);
    const warnings = h.logs.filter((l) => l.msg === 'stock oversold');
    expect(warnings).toHaveLength(short.length);
    expect(warnings[0]).toMatchObject({ level: 40, sku: 'TSHIRT' });
  });

  it('an unpaid order takes no stock until its payment settles; a refund does not restock by default', async () => {
    const pay = sf.asyncPayment({
      email: 'mugs@example.com',
      lines: [{ productName: 'Mug', quantity: 2, metadata: { sku: 'MUG' } }],
    });
    stubStripe(h.fake, pay);
    await h.publishStripeEvent(pay.events.checkoutCompleted);
    const orderId = orderIdFor(pay.session.id);
    await waitForOrder(h, orderId, (o) => o.status === 'pending_payment');
    expect((await h.api('GET', '/catalog/products/MUG')).body.stock).toBe(2);
    await h.publishStripeEvent(pay.events.asyncPaymentSucceeded!);
    await waitForOrder(h, orderId, (o) => o.status === 'confirmed');
    expect((await h.api('GET', '/catalog/products/MUG')).body.stock).toBe(0);

    const purchase = sf.oneTimePurchase({
      email: 'mug-refund@example.com',
      lines: [{ metadata: { sku: 'MUG' } }],
    });
    await h.api('POST', '/catalog/products/MUG/stock-adjustments', { delta: 1, note: 'found one' });
    stubStripe(h.fake, purchase);
    await h.publishStripeEvents(purchase.ordered);
    const refundOrder = orderIdFor(purchase.session.id);
    await waitForOrder(h, refundOrder, (o) => o.status === 'confirmed');
    expect((await h.api('GET', '/catalog/products/MUG')).body.stock).toBe(0);
    const refund = sf.fullRefund(purchase);
    stubStripe(h.fake, refund);
    await h.publishStripeEvent(refund.events.chargeRefunded);
    await waitForOrder(h, refundOrder, (o) => o.status === 'refunded');
    expect((await h.api('GET', '/catalog/products/MUG')).body.stock).toBe(0);
  });
});

describe('inventory with restocking on refunds', () => {
  const h = useOrders({
    prefix: 'orders_restock',
    restockOnRefund: true,
    catalog: [physical('LAMP', 5)],
  });

  it('puts the units of a fully refunded order back, once', async () => {
    const purchase = sf.oneTimePurchase({
      email: 'lamp@example.com',
      lines: [{ quantity: 2, metadata: { sku: 'LAMP' } }],
    });
    stubStripe(h.fake, purchase);
    await h.publishStripeEvents(purchase.ordered);
    const orderId = orderIdFor(purchase.session.id);
    await waitForOrder(h, orderId, (o) => o.status === 'confirmed');
    expect((await h.api('GET', '/catalog/products/LAMP')).body.stock).toBe(3);
    const refund = sf.fullRefund(purchase);
    stubStripe(h.fake, refund);
    await h.publishStripeEvent(refund.events.chargeRefunded);
    await h.publishStripeEvent(refund.events.chargeRefunded, `${refund.events.chargeRefunded.id}:again`);
    await waitForOrder(h, orderId, (o) => o.status === 'refunded');
    await h.settled();
    expect((await h.api('GET', '/catalog/products/LAMP')).body.stock).toBe(5);
  });
});

// About 300 ms of retries: five deliveries (50, 100, 150, 150 ms apart on average), then parked.
const PARKING_RETRY = { baseMs: 50, maxDelayMs: 150, retryForMs: 300 };
const PARKING_DELIVERIES = maxDeliveries(PARKING_RETRY);

describe('parking and replay', () => {
  const h = useOrders({ prefix: 'orders_parking', retry: PARKING_RETRY });

  it('an event whose order never comes is retried, parked for an operator, and applied on replay once it can be', async () => {
    const purchase = sf.subscriptionPurchase({ email: 'parked@example.com' });
    stubStripe(h.fake, purchase);
    await h.publishStripeEvent(purchase.events.invoicePaid);
    const parked = await waitFor(async () => {
      const items = (await h.api('GET', '/admin/parked?pending=true')).body.items as Array<
        Record<string, unknown>
      >;
      return items.find((p) => p.messageId === purchase.events.invoicePaid.id);
    });
    expect(parked).toMatchObject({
      consumer: 'orders-stripe',
      subject: 'stripe.event.invoice.paid',
      kind: 'exhausted',
      deliveryCount: PARKING_DELIVERIES,
      reason: `gave up after ${PARKING_DELIVERIES} attempts: no order for subscription ${purchase.subscription.id} yet`,
    });
    expect(h.logs).toContainEqual(
      expect.objectContaining({ msg: 'retries exhausted, parked', eventId: purchase.events.invoicePaid.id }),
    );

    // Replayed too early, it still cannot apply: 409 and it stays parked.
    const early = await h.api('POST', `/admin/parked/${parked.id}/replay`);
    expect(early).toMatchObject({ status: 409, body: { outcome: { status: 'retry' } } });

    await h.publishStripeEvent(purchase.events.checkoutCompleted);
    const orderId = orderIdFor(purchase.session.id);
    await waitForOrder(h, orderId, (o) => o.status === 'confirmed');
    const replay = await h.api('POST', `/admin/parked/${parked.id}/replay`);
    expect(replay).toMatchObject({ status: 200, body: { outcome: { status: 'done' } } });
    const order = await waitForOrder(h, orderId, (o) => o.payments.length === 1);
    expect(order.payments[0]).toMatchObject({
      paymentId: purchase.invoice.id,
      billingReason: 'subscription_create',
    });
    await waitForDomainEvent(h, `orders.payment.recorded:${purchase.invoice.id}`);
    expect((await h.api('GET', '/admin/parked?pending=true')).body.items).toEqual([]);

    // Replaying again changes nothing.
    expect((await h.api('POST', `/admin/parked/${parked.id}/replay`)).body.outcome.status).toBe('done');
    expect((await h.order(orderId))!.payments).toHaveLength(1);
  });
});
