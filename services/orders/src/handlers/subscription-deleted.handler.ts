import type { StripeEventShape } from '@billing/contracts';
import { causeOf, done, retry, type HandlerContext, type Outcome } from '@billing/runtime';
import type { SubscriptionWire } from '../stripe/stripe-objects';
import { eventTime, objectOf } from '../stripe/stripe-event';
import type { OrdersHandlerDeps } from './deps';

/** `customer.subscription.deleted`: the subscription's order becomes `cancelled`, once. */
export async function handleSubscriptionDeleted(
  event: StripeEventShape,
  deps: OrdersHandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const subscription = objectOf<SubscriptionWire>(event);
  const order = await deps.orders.bySubscription(subscription.id);
  if (!order) return retry(`no order for subscription ${subscription.id} yet`);
  const { fact } = await deps.ledger.addFact({
    key: `cancelled:${order.orderId}`,
    orderId: order.orderId,
    kind: 'cancelled',
    at: eventTime(event),
    eventId: event.id,
    reason: null,
    paymentIntentId: null,
    cancellationReason: subscription.cancellation_details?.reason ?? null,
  });
  if (deps.restockOnRefund) await deps.inventory.restock(order, ctx.logger);
  const current = await deps.book.refresh(order.orderId, order);
  await deps.events.emit(deps.events.cancelled(fact, current, causeOf(ctx)));
  ctx.logger.info(
    { orderId: order.orderId, subscriptionId: subscription.id, status: current.status },
    'order cancelled',
  );
  return done();
}
