import type { StripeEventShape } from '@billing/contracts';
import { causeOf, done, skipped, type HandlerContext, type Outcome } from '@billing/runtime';
import { isSessionPaid, type CheckoutSessionWire } from '../stripe/stripe-objects';
import { confirmOrder } from './confirm-order';
import { eventTime, objectOf, scopeOf } from '../stripe/stripe-event';
import type { OrdersHandlerDeps } from './deps';

/**
 * `checkout.session.completed`: stores the session's one order (customer, lines mapped to the
 * catalog) and confirms it when the session is paid; an unpaid session waits for
 * `checkout.session.async_payment_succeeded` / `_failed`.
 */
export async function handleCheckoutCompleted(
  event: StripeEventShape,
  deps: OrdersHandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const session = objectOf<CheckoutSessionWire>(event);
  if (session.mode === 'setup') return skipped('setup-mode session: nothing was sold');
  const { order } = await deps.intake.ensureOrder(session, eventTime(event), ctx.logger, scopeOf(event, ctx));
  const created = deps.events.created(order, causeOf(ctx));
  if (isSessionPaid(session)) {
    await confirmOrder(order, eventTime(event), deps, ctx, [created]);
  } else {
    await deps.book.refresh(order.orderId, order);
    await deps.events.emit(created);
    ctx.logger.info(
      { orderId: order.orderId, paymentStatus: session.payment_status },
      'order awaits payment',
    );
  }
  return done();
}
