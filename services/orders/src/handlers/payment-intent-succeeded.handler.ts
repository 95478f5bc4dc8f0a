import type { StripeEventShape } from '@billing/contracts';
import { causeOf, done, retry, skipped, type HandlerContext, type Outcome } from '@billing/runtime';
import { type PaymentIntentWire } from '../stripe/stripe-objects';
import { eventTime, objectOf, scopeOf } from '../stripe/stripe-event';
import { accountFieldsOf } from '../domain/billing-account';
import type { OrdersHandlerDeps } from './deps';

/**
 * `payment_intent.succeeded`: records the payment of a payment-mode order, once per PaymentIntent.
 * A PaymentIntent that paid a subscription invoice is left to `invoice.paid`, which knows the
 * billing period; one whose order is not stored yet is retried until checkout's event arrives.
 */
export async function handlePaymentIntentSucceeded(
  event: StripeEventShape,
  deps: OrdersHandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const intent = objectOf<PaymentIntentWire>(event);
  const order = await deps.orders.byPaymentIntent(intent.id);
  if (!order) {
    const invoice = await deps.links.invoiceOf({
      paymentIntentId: intent.id,
      invoice: intent.invoice,
      scope: scopeOf(event, ctx),
    });
    if (invoice?.subscriptionId) return skipped('pays a subscription invoice: recorded from invoice.paid');
    return retry(`no order for payment intent ${intent.id} yet`);
  }
  const { payment } = await deps.ledger.addPayment({
    paymentId: intent.id,
    orderId: order.orderId,
    ...accountFieldsOf(order),
    customerEmail: order.customerEmail,
    source: 'payment_intent',
    invoiceId: null,
    paymentIntentId: intent.id,
    subscriptionId: order.subscriptionId,
    billingReason: null,
    amount: intent.amount_received ?? intent.amount ?? 0,
    currency: intent.currency ?? order.currency,
    periodEnd: null,
    receiptUrl: null,
    paidAt: eventTime(event),
    eventId: event.id,
  });
  const current = await deps.book.refresh(order.orderId, order);
  await deps.events.emit(deps.events.paymentRecorded(payment, current, causeOf(ctx)));
  ctx.logger.info(
    { orderId: order.orderId, paymentId: payment.paymentId, amount: payment.amount },
    'payment recorded',
  );
  return done();
}
