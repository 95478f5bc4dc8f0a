import type { OrderConfirmedV1, TypedEnvelope } from '@billing/contracts';
import { done, type Outcome } from '@billing/runtime';
import type { HandlerDeps } from './deps';

/**
 * `orders.order.confirmed`: keeps the order as it was confirmed. The purchase email and
 * `checkout.completed` wait for licensing's `licensing.order.licensed`, which needs this snapshot.
 */
export async function handleOrderConfirmed(
  event: TypedEnvelope<OrderConfirmedV1>,
  deps: Pick<HandlerDeps, 'orders'>,
): Promise<Outcome> {
  await deps.orders.save(event.payload.order, event.id);
  return done();
}
