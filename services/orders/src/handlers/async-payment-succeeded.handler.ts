import type { StripeEventShape } from '@billing/contracts';
import { causeOf, done, type HandlerContext, type Outcome } from '@billing/runtime';
import type { CheckoutSessionWire } from '../stripe/stripe-objects';
import { confirmOrder } from './confirm-order';
import { eventTime, objectOf, scopeOf } from '../stripe/stripe-event';
import type { OrdersHandlerDeps } from './deps';

/**
 * `checkout.session.async_payment_succeeded`: the delayed payment (bank debit) settled; the order
 * is confirmed. The event carries the whole session, so should it overtake
 * `checkout.session.completed` the order is stored from it.
 */
export async function handleAsyncPaymentSucceeded(
  event: StripeEventShape,
  deps: OrdersHandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const session = objectOf<CheckoutSessionWire>(event);
  const { order } = await deps.intake.ensureOrder(session, eventTime(event), ctx.logger, scopeOf(event, ctx));
  await confirmOrder(order, eventTime(event), deps, ctx, [deps.events.created(order, causeOf(ctx))]);
  return done();
}
