import type { OrderCancelledV1, TypedEnvelope } from '@billing/contracts';
import type { Outcome } from '@billing/runtime';
import type { HandlerDeps } from './deps';
import { emailOutcome } from './email-outcome';

/**
 * `orders.order.cancelled`: the cancellation confirmation email. Integrators learn of it from
 * `subscription.cancelled`, which licensing's event drives.
 */
export async function handleOrderCancelled(
  event: TypedEnvelope<OrderCancelledV1>,
  deps: Pick<HandlerDeps, 'emails'>,
): Promise<Outcome> {
  const p = event.payload;
  const result = await deps.emails.send({
    eventId: event.id,
    template: 'cancellation-confirmed',
    to: p.customerEmail,
    model: { orderId: p.orderId, subscriptionId: p.subscriptionId, cancelledAt: p.cancelledAt },
  });
  return emailOutcome(result);
}
