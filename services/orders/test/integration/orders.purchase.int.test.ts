import { resetStreams, connectTestNats, testEnv } from '@billing/testkit';
import { orderIdFor } from '../../src/domain/order-id';
import { publishAll, sf, startHarness, stubStripe, waitForDomainEvent, waitForOrder, type Harness } from './harness';

describe('one-time purchases', () => {
  let h: Harness;

  beforeAll(async () => {
    const nats = await connectTestNats(testEnv().natsUrl);
    await resetStreams(nats.jsm);
    await nats.close();
    h = await startHarness({ prefix: 'orders_purchase' });
  });

  afterAll(async () => {
    await h?.close();
  });

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
      await publishAll(h, purchase.ordered);

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
        expect.objectContaining({ quantity: 2, unitAmount: 1500, sku: 'EBOOK', kind: 'digital', unmapped: false, downloadUrl: 'https://downloads.example.com/guide.pdf' }),
        expect.objectContaining({ quantity: 1, sku: 'LICENSE-PRO', kind: 'digital', tier: 'pro', unmapped: false }),
      ]);
      expect(order.payments).toEqual([
        expect.objectContaining({ paymentId: purchase.paymentIntent.id, source: 'payment_intent', amount: 2 * 1500 + 9900 }),
      ]);

      const customer = await h.api('GET', `/customers/${encodeURIComponent(`ADA.${shape}@example.com`)}`);
      expect(customer.status).toBe(200);
      expect(customer.body).toMatchObject({ email: `ada.${shape}@example.com`, stripeCustomerIds: [purchase.customerId] });
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
            expect.objectContaining({ sku: 'EBOOK', kind: 'digital', quantity: 2, productName: 'Field guide (e-book)' }),
            expect.objectContaining({ sku: 'LICENSE-PRO', tier: 'pro', quantity: 1 }),
          ],
        },
      });
      await waitForDomainEvent(h, `orders.payment.recorded:${purchase.paymentIntent.id}`);
      const types = (await h.domainEvents(orderId)).map((e) => e.type).sort();
      expect(types).toEqual(['orders.order.confirmed', 'orders.order.created', 'orders.payment.recorded']);
    },
  );
});
