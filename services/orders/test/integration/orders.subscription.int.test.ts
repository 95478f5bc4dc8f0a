import { orderIdFor } from '../../src/domain/order-id';
import { sf, useOrders, stubStripe, waitForDomainEvent, waitForOrder } from './harness';

const iso = (unix: number) => new Date(unix * 1000).toISOString();
const periodEnd = (sub: { items: { data: Array<{ current_period_end?: number }> } }) =>
  sub.items.data[0]!.current_period_end!;

describe('a subscription from checkout to cancellation', () => {
  const h = useOrders({ prefix: 'orders_subscription' });

  it.each(['basil', 'legacy'] as const)(
    '%s payloads: purchase, renewal, failed and recovered payment, refund, cancellation',
    async (shape) => {
      const email = `sub.${shape}@example.com`;
      const requestsBefore = h.fake.requests.length;
      const purchase = sf.subscriptionPurchase({ shape, email, tier: 'pro', clientReferenceId: 'cart-sub' });
      stubStripe(h.fake, purchase);
      await h.publishStripeEvents(purchase.ordered);
      const orderId = orderIdFor(purchase.session.id);

      // Confirmed with the period end Stripe's API reported; the first invoice is the only payment
      // (payment_intent.succeeded of a subscription invoice is left to invoice.paid).
      let order = await waitForOrder(h, orderId, (o) => o.status === 'confirmed' && o.amountPaid > 0);
      expect(order).toMatchObject({
        mode: 'subscription',
        subscriptionId: purchase.subscription.id,
        paymentIntentId: null,
        currentPeriodEnd: iso(periodEnd(purchase.subscription)),
        lines: [
          expect.objectContaining({ sku: 'PRO-1M', kind: 'subscription', tier: 'pro', unmapped: false }),
        ],
      });
      expect(order.payments).toEqual([
        expect.objectContaining({
          paymentId: purchase.invoice.id,
          source: 'invoice',
          billingReason: 'subscription_create',
          subscriptionId: purchase.subscription.id,
          periodEnd: iso(periodEnd(purchase.subscription)),
        }),
      ]);
      const confirmed = await waitForDomainEvent(h, `orders.order.confirmed:${orderId}`);
      expect(confirmed.payload).toMatchObject({
        order: {
          subscriptionId: purchase.subscription.id,
          currentPeriodEnd: iso(periodEnd(purchase.subscription)),
        },
      });

      // Renewal: a new payment and a later period end.
      const renewed = sf.renewal(purchase);
      stubStripe(h.fake, renewed);
      await h.publishStripeEvents(renewed.ordered);
      order = await waitForOrder(
        h,
        orderId,
        (o) => o.payments.length === 2 && o.currentPeriodEnd === iso(periodEnd(renewed.subscription)),
      );
      const renewal = await waitForDomainEvent(h, `orders.payment.recorded:${renewed.invoice.id}`);
      expect(renewal.payload).toMatchObject({
        orderId,
        customerEmail: email,
        source: 'invoice',
        invoiceId: renewed.invoice.id,
        subscriptionId: purchase.subscription.id,
        billingReason: 'subscription_cycle',
        periodEnd: iso(periodEnd(renewed.subscription)),
      });

      // The next renewal is declined: the order's payment failed, with Stripe's reason.
      const failed = sf.paymentFailed(renewed);
      stubStripe(h.fake, failed);
      await h.publishStripeEvents(failed.ordered);
      order = await waitForOrder(h, orderId, (o) => o.status === 'payment_failed');
      expect(order.paymentStatus).toBe('failed');
      expect(order.lastPaymentFailure).toMatchObject({
        code: 'card_declined',
        declineCode: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
        paymentIntentId: failed.openPaymentIntentId,
      });
      const failure = await waitForDomainEvent(h, `orders.payment.failed:${failed.openPaymentIntentId}`);
      expect(failure.payload).toMatchObject({
        orderId,
        invoiceId: failed.openInvoice.id,
        subscriptionId: purchase.subscription.id,
        reason: { code: 'card_declined', declineCode: 'insufficient_funds' },
      });

      // The retry pays the open invoice: confirmed again.
      const recovered = sf.reactivated(failed);
      stubStripe(h.fake, recovered);
      await h.publishStripeEvents(recovered.ordered);
      order = await waitForOrder(h, orderId, (o) => o.status === 'confirmed' && o.payments.length === 3);
      expect(order.paymentStatus).toBe('paid');

      // That payment is refunded in full.
      const refunded = sf.fullRefund(recovered);
      stubStripe(h.fake, refunded);
      await h.publishStripeEvents(refunded.ordered);
      order = await waitForOrder(h, orderId, (o) => o.status === 'refunded');
      expect(order.amountRefunded).toBe(refunded.refund.amount);
      const refundEvent = await waitForDomainEvent(h, `orders.order.refunded:${refunded.refund.id}`);
      expect(refundEvent.payload).toMatchObject({
        orderId,
        chargeId: recovered.charge.id,
        full: true,
        amount: refunded.refund.amount,
      });

      // And the subscription is cancelled.
      // The clock is shared along the story, so the cancellation comes after the refund.
      const cancelled = sf.cancellation(recovered);
      await h.publishStripeEvents(cancelled.ordered);
      order = await waitForOrder(h, orderId, (o) => o.status === 'cancelled');
      expect(order.cancellationReason).toBe('cancellation_requested');
      const cancelEvent = await waitForDomainEvent(h, `orders.order.cancelled:${orderId}`);
      expect(cancelEvent.payload).toMatchObject({
        orderId,
        subscriptionId: purchase.subscription.id,
        customerEmail: email,
      });

      const types = (await h.domainEvents(orderId)).map((e) => e.type);
      expect(types.filter((t) => t === 'orders.payment.recorded')).toHaveLength(3);
      expect(new Set(types)).toEqual(
        new Set([
          'orders.order.created',
          'orders.order.confirmed',
          'orders.payment.recorded',
          'orders.payment.failed',
          'orders.order.refunded',
          'orders.order.cancelled',
        ]),
      );
      const asked = h.fake.requests
        .slice(requestsBefore)
        .filter((r) => r.path === '/v1/invoice_payments').length;
      if (shape === 'legacy') expect(asked).toBe(0);
    },
  );
});
