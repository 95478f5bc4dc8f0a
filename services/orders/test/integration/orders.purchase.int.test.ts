import { orderIdFor } from '../../src/domain/order-id';
import { sf, useOrders, stubStripe, waitForDomainEvent, waitForOrder } from './harness';

describe('one-time purchases', () => {
  const h = useOrders({ prefix: 'orders_purchase' });

  it.each(['basil', 'legacy'] as const)(
    'a paid %s checkout becomes one confirmed order with mapped lines, its customer and payment',
    async (shape) => {
      const purchase = sf.oneTimePurchase({
        shape,
        email: `Ada.${shape}@Example.com`,
        clientReferenceId: 'cart-42',
        metadata: { userId: 'u-7' },
        lines: [
          { productName: 'Field guide', quantity: 2, unitAmount: 1500, metadata: { sku: 'EBOOK' } },
          { productName: 'Pro license', unitAmount: 9900, metadata: { sku: 'LICENSE-PRO' } },
        ],
      });
      stubStripe(h.fake, purchase);
      // Stripe's own order: charge, payment intent (before the order exists: retried), checkout.
      await h.publishStripeEvents(purchase.ordered);

      const orderId = orderIdFor(purchase.session.id);
      const order = await waitForOrder(h, orderId, (o) => o.status === 'confirmed' && o.amountPaid > 0);
      expect(order).toMatchObject({
        checkoutSessionId: purchase.session.id,
        status: 'confirmed',
        paymentStatus: 'paid',
        mode: 'payment',
        customerEmail: `ada.${shape}@example.com`,
        customerName: 'Jenny Rosen',
        stripeCustomerId: purchase.customerId,
        cartId: 'cart-42',
        metadata: { userId: 'u-7' },
        subscriptionId: null,
        paymentIntentId: purchase.paymentIntent.id,
        amountTotal: 2 * 1500 + 9900,
        amountPaid: 2 * 1500 + 9900,
        currency: 'usd',
      });
      expect(order.lines).toEqual([
        expect.objectContaining({
          quantity: 2,
          unitAmount: 1500,
          sku: 'EBOOK',
          kind: 'digital',
          unmapped: false,
          downloadUrl: 'https://downloads.example.com/guide.pdf',
        }),
        expect.objectContaining({
          quantity: 1,
          sku: 'LICENSE-PRO',
          kind: 'digital',
          tier: 'pro',
          unmapped: false,
        }),
      ]);
      expect(order.payments).toEqual([
        expect.objectContaining({
          paymentId: purchase.paymentIntent.id,
          source: 'payment_intent',
          amount: 2 * 1500 + 9900,
        }),
      ]);

      const customer = await h.api('GET', `/customers/${encodeURIComponent(`ADA.${shape}@example.com`)}`);
      expect(customer.status).toBe(200);
      expect(customer.body).toMatchObject({
        email: `ada.${shape}@example.com`,
        stripeCustomerIds: [purchase.customerId],
      });
      expect(customer.body.orders.map((o: { orderId: string }) => o.orderId)).toEqual([orderId]);

      const confirmed = await waitForDomainEvent(h, `orders.order.confirmed:${orderId}`);
      expect(confirmed.type).toBe('orders.order.confirmed');
      expect(confirmed.correlationId).toBe(purchase.events.checkoutCompleted.id);
      expect(confirmed.payload).toMatchObject({
        order: {
          orderId,
          customerEmail: `ada.${shape}@example.com`,
          stripeCustomerId: purchase.customerId,
          lines: [
            expect.objectContaining({
              sku: 'EBOOK',
              kind: 'digital',
              quantity: 2,
              productName: 'Field guide (e-book)',
            }),
            expect.objectContaining({ sku: 'LICENSE-PRO', tier: 'pro', quantity: 1 }),
          ],
        },
      });
      await waitForDomainEvent(h, `orders.payment.recorded:${purchase.paymentIntent.id}`);
      const types = (await h.domainEvents(orderId)).map((e) => e.type).sort();
      expect(types).toEqual(['orders.order.confirmed', 'orders.order.created', 'orders.payment.recorded']);
    },
  );

  it('a delayed payment: pending after checkout, confirmed when the payment settles', async () => {
    const pay = sf.asyncPayment({ email: 'ach@example.com', lines: [{ metadata: { sku: 'EBOOK' } }] });
    stubStripe(h.fake, pay);
    const orderId = orderIdFor(pay.session.id);
    await h.publishStripeEvent(pay.events.checkoutCompleted);
    let order = await waitForOrder(h, orderId, () => true);
    expect(order).toMatchObject({ status: 'pending_payment', paymentStatus: 'unpaid', confirmedAt: null });
    await waitForDomainEvent(h, `orders.order.created:${orderId}`);
    expect((await h.domainEvents(orderId)).map((e) => e.type)).toEqual(['orders.order.created']);

    await h.publishStripeEvent(pay.events.asyncPaymentSucceeded!);
    order = await waitForOrder(h, orderId, (o) => o.status === 'confirmed');
    expect(order.confirmedAt).toBe(new Date(pay.events.asyncPaymentSucceeded!.created * 1000).toISOString());
    const confirmed = await waitForDomainEvent(h, `orders.order.confirmed:${orderId}`);
    expect(confirmed.correlationId).toBe(pay.events.asyncPaymentSucceeded!.id);
  });

  it('a settled delayed payment that overtakes checkout’s own event still makes one confirmed order', async () => {
    const pay = sf.asyncPayment({ email: 'early@example.com', lines: [{ metadata: { sku: 'EBOOK' } }] });
    stubStripe(h.fake, pay);
    const orderId = orderIdFor(pay.session.id);
    await h.publishStripeEvent(pay.events.asyncPaymentSucceeded!);
    await waitForOrder(h, orderId, (o) => o.status === 'confirmed');
    await h.publishStripeEvent(pay.events.checkoutCompleted);
    await h.settled();
    const order = await h.order(orderId);
    expect(order).toMatchObject({ status: 'confirmed', lines: [expect.objectContaining({ sku: 'EBOOK' })] });
    const types = (await h.domainEvents(orderId)).map((e) => e.type).sort();
    expect(types).toEqual(['orders.order.confirmed', 'orders.order.created']);
  });

  it('a failed delayed payment marks the payment failed with the bank’s reason', async () => {
    const pay = sf.asyncPayment({
      email: 'ach-fail@example.com',
      outcome: 'failed',
      lines: [{ metadata: { sku: 'EBOOK' } }],
    });
    stubStripe(h.fake, pay);
    const orderId = orderIdFor(pay.session.id);
    await h.publishStripeEvents(pay.ordered);
    const order = await waitForOrder(h, orderId, (o) => o.status === 'payment_failed');
    expect(order.paymentStatus).toBe('failed');
    expect(order.lastPaymentFailure).toMatchObject({
      code: 'insufficient_funds',
      paymentIntentId: pay.paymentIntent.id,
    });
    const failed = await waitForDomainEvent(h, `orders.payment.failed:${pay.paymentIntent.id}`);
    expect(failed.payload).toMatchObject({
      orderId,
      customerEmail: 'ach-fail@example.com',
      paymentIntentId: pay.paymentIntent.id,
      amount: pay.session.amount_total,
      reason: { code: 'insufficient_funds', message: expect.stringContaining('insufficient funds') },
    });
    expect((await h.domainEvents(orderId)).some((e) => e.type === 'orders.order.confirmed')).toBe(false);
  });

  it('a declined first attempt delivered after the paid checkout does not move the order backwards', async () => {
    const purchase = sf.oneTimePurchase({
      email: 'retry@example.com',
      lines: [{ metadata: { sku: 'EBOOK' } }],
    });
    stubStripe(h.fake, purchase);
    const intent = purchase.paymentIntent;
    const decline = sf.makeEvent(
      'payment_intent.payment_failed',
      {
        ...intent,
        status: 'requires_payment_method',
        last_payment_error: {
          code: 'card_declined',
          decline_code: 'generic_decline',
          message: 'Your card was declined.',
          type: 'card_error',
        },
      },
      { apiVersion: sf.CURRENT_API_VERSION, created: purchase.session.created + 30 },
    );
    const orderId = orderIdFor(purchase.session.id);
    await h.publishStripeEvents(purchase.ordered);
    await waitForOrder(h, orderId, (o) => o.status === 'confirmed' && o.amountPaid > 0);
    await h.publishStripeEvent(decline);
    await waitForDomainEvent(h, `orders.payment.failed:${intent.id}`);
    const order = await h.order(orderId);
    expect(order).toMatchObject({
      status: 'confirmed',
      paymentStatus: 'paid',
      lastPaymentFailure: {
        code: 'card_declined',
        declineCode: 'generic_decline',
        paymentIntentId: intent.id,
      },
    });
  });

  it('guest checkout: no Stripe customer, the email still makes the account', async () => {
    const purchase = sf.oneTimePurchase({
      email: 'guest@example.com',
      customerId: null,
      lines: [{ metadata: { sku: 'EBOOK' } }],
    });
    stubStripe(h.fake, purchase);
    await h.publishStripeEvents(purchase.ordered);
    const orderId = orderIdFor(purchase.session.id);
    await waitForOrder(h, orderId, (o) => o.status === 'confirmed');
    const customer = await h.api('GET', '/customers/guest@example.com');
    expect(customer.body).toMatchObject({ email: 'guest@example.com', stripeCustomerIds: [] });
  });

  it('two partial refunds, the second delivered first: each refund once, then refunded', async () => {
    const purchase = sf.oneTimePurchase({
      email: 'refunds@example.com',
      lines: [{ unitAmount: 10_000, metadata: { sku: 'EBOOK' } }],
    });
    stubStripe(h.fake, purchase);
    await h.publishStripeEvents(purchase.ordered);
    const orderId = orderIdFor(purchase.session.id);
    await waitForOrder(h, orderId, (o) => o.status === 'confirmed');

    const first = sf.partialRefund(purchase, { amount: 3000 });
    const second = sf.fullRefund(first);
    h.fake.put(first.refund as never, second.refund as never);
    await h.publishStripeEvent(second.events.chargeRefunded);
    let order = await waitForOrder(h, orderId, (o) => o.status === 'refunded');
    expect(order.refunds).toEqual([
      expect.objectContaining({ refundId: first.refund.id, amount: 3000, amountRefunded: 3000, full: false }),
      expect.objectContaining({
        refundId: second.refund.id,
        amount: 7000,
        amountRefunded: 10_000,
        full: true,
      }),
    ]);
    await h.publishStripeEvent(first.events.chargeRefunded);
    await h.settled();
    order = (await h.order(orderId))!;
    expect(order).toMatchObject({ status: 'refunded', amountRefunded: 10_000, paymentStatus: 'refunded' });
    expect(order.refunds).toHaveLength(2);
    const refundEvents = (await h.domainEvents(orderId)).filter((e) => e.type === 'orders.order.refunded');
    expect(refundEvents.map((e) => (e.payload as { full: boolean }).full).sort()).toEqual([false, true]);
  });

  it('a partial refund leaves the order partially refunded', async () => {
    const purchase = sf.oneTimePurchase({
      shape: 'legacy',
      email: 'partial@example.com',
      lines: [{ unitAmount: 5000, metadata: { sku: 'EBOOK' } }],
    });
    stubStripe(h.fake, purchase);
    await h.publishStripeEvents(purchase.ordered);
    const orderId = orderIdFor(purchase.session.id);
    await waitForOrder(h, orderId, (o) => o.status === 'confirmed');
    const partial = sf.partialRefund(purchase, { amount: 1000 });
    stubStripe(h.fake, partial);
    await h.publishStripeEvent(partial.events.chargeRefunded);
    const order = await waitForOrder(h, orderId, (o) => o.status === 'partially_refunded');
    expect(order.amountRefunded).toBe(1000);
    const refunded = await waitForDomainEvent(h, `orders.order.refunded:${partial.refund.id}`);
    expect(refunded.payload).toMatchObject({
      full: false,
      amount: 1000,
      amountRefunded: 1000,
      amountCharged: 5000,
    });
  });
});
