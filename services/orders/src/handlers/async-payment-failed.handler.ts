import type { StripeEventShape } from '@billing/contracts';
import { causeOf, done, type HandlerContext, type Outcome } from '@billing/runtime';
import { failureReason, idOf, type CheckoutSessionWire } from '../stripe/stripe-objects';
import { eventTime, objectOf, scopeOf } from '../stripe/stripe-event';
import type { OrdersHandlerDeps } from './deps';

/**
 * `checkout.session.async_payment_failed`: the delayed payment failed; the order's payment is
 * marked failed with the reason Stripe kept on the PaymentIntent (`last_payment_error`).
 */
export async function handleAsyncPaymentFailed(
  event: StripeEventShape,
  deps: OrdersHandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const session = objectOf<CheckoutSessionWire>(event);
  const { order } = await deps.intake.ensureOrder(session, eventTime(event), ctx.logger, scopeOf(event, ctx));
  const paymentIntentId = idOf(session.payment_intent);
  const key = `payment_failed:${event.id}`;
  const known = await deps.ledger.getFact(key);
  const { fact } = known
    ? { fact: known }
    : await deps.ledger.addFact({
        key,
        orderId: order.orderId,
        kind: 'payment_failed',
        at: eventTime(event),
        eventId: event.id,
        reason: paymentIntentId
          ? await deps.stripe.paymentFailure(paymentIntentId, scopeOf(event, ctx))
          : failureReason(null),
        paymentIntentId,
        cancellationReason: null,
      });
  const current = await deps.book.refresh(order.orderId, order);
  await deps.events.emit(
    deps.events.created(order, causeOf(ctx)),
    deps.events.paymentFailed(
      fact,
      current,
      { paymentIntentId, invoiceId: null, amount: current.amountTotal, currency: current.currency },
      causeOf(ctx),
    ),
  );
  ctx.logger.info({ orderId: order.orderId, status: current.status }, 'order payment failed');
  return done();
}
