import type { StripeEventShape } from '@billing/contracts';
import { causeOf, done, retry, type HandlerContext, type Outcome } from '@billing/runtime';
import { failureReason, type PaymentIntentWire } from '../stripe/stripe-objects';
import { eventTime, objectOf, scopeOf } from '../stripe/stripe-event';
import type { OrdersHandlerDeps } from './deps';

/**
 * `payment_intent.payment_failed`: marks the order's payment failed and keeps Stripe's reason
 * (`last_payment_error`) for support. Every failed attempt is a fact (keyed by the Stripe event);
 * the domain event goes out once per PaymentIntent.
 */
export async function handlePaymentIntentFailed(
  event: StripeEventShape,
  deps: OrdersHandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const intent = objectOf<PaymentIntentWire>(event);
  const { order, invoice } = await deps.links.resolve({
    paymentIntentId: intent.id,
    invoice: intent.invoice,
    scope: scopeOf(event, ctx),
  });
  if (!order) return retry(`no order for payment intent ${intent.id} yet`);
  const { fact } = await deps.ledger.addFact({
    key: `payment_failed:${event.id}`,
    orderId: order.orderId,
    kind: 'payment_failed',
    at: eventTime(event),
    eventId: event.id,
    reason: failureReason(intent.last_payment_error),
    paymentIntentId: intent.id,
    cancellationReason: null,
  });
  const current = await deps.book.refresh(order.orderId, order);
  const failed = deps.events.paymentFailed(
    fact,
    current,
    {
      paymentIntentId: intent.id,
      invoiceId: invoice?.invoiceId ?? null,
      amount: intent.amount ?? 0,
      currency: intent.currency ?? current.currency,
    },
    causeOf(ctx),
  );
  await deps.events.emit(failed);
  ctx.logger.info(
    {
      orderId: order.orderId,
      paymentIntentId: intent.id,
      code: fact.reason?.code,
      declineCode: fact.reason?.declineCode,
    },
    'payment failure recorded',
  );
  return done();
}
