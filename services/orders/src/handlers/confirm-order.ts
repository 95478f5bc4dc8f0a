import { causeOf, type HandlerContext, type OutboxEvent } from '@billing/runtime';
import type { Order } from '../db/order.model';
import type { OrdersHandlerDeps } from './deps';

/**
 * Confirms an order once (fact `confirmed:<orderId>`), takes its physical lines from stock, and
 * announces it. Shared by a paid `checkout.session.completed` and
 * `checkout.session.async_payment_succeeded`; every step is safe to repeat on a redelivery.
 * `before` are events to publish ahead of the confirmation (the order's creation).
 */
export async function confirmOrder(
  order: Order,
  at: Date,
  deps: OrdersHandlerDeps,
  ctx: HandlerContext,
  before: OutboxEvent[] = [],
): Promise<Order> {
  await deps.ledger.addFact({
    key: `confirmed:${order.orderId}`,
    orderId: order.orderId,
    kind: 'confirmed',
    at,
    eventId: ctx.messageId,
    reason: null,
    paymentIntentId: null,
    cancellationReason: null,
  });
  await deps.inventory.allocate(order, ctx.logger);
  const current = await deps.book.refresh(order.orderId, order);
  await deps.events.emit(...before, deps.events.confirmed(current, causeOf(ctx)));
  ctx.logger.info({ orderId: order.orderId, status: current.status }, 'order confirmed');
  return current;
}
