import type { OrderRefundedV1, TypedEnvelope } from '@billing/contracts';
import type { Outcome } from '@billing/runtime';
import { outboundEvent } from '../webhooks/dispatcher';
import type { HandlerDeps } from './deps';
import { emailOutcome } from './email-outcome';

/** `orders.order.refunded`: `order.refunded` and the refund confirmation email (one per refund). */
export async function handleOrderRefunded(
  event: TypedEnvelope<OrderRefundedV1>,
  deps: HandlerDeps,
): Promise<Outcome> {
  const p = event.payload;
  await deps.webhooks.publish([
    outboundEvent(event.id, 'order.refunded', event.occurredAt, {
      orderId: p.orderId,
      customerEmail: p.customerEmail,
      refundId: p.refundId,
      chargeId: p.chargeId,
      amount: p.amount,
      amountRefunded: p.amountRefunded,
      amountCharged: p.amountCharged,
      currency: p.currency,
      full: p.full,
      refundedAt: p.refundedAt,
    }),
  ]);
  // The item list is a nicety: an order confirmed before this service ran has no snapshot here.
  const order = await deps.orders.get(p.orderId);
  const result = await deps.emails.send({
    eventId: event.id,
    template: 'refund-confirmed',
    to: p.customerEmail,
    model: {
      orderId: p.orderId,
      amount: p.amount,
      amountRefunded: p.amountRefunded,
      amountCharged: p.amountCharged,
      currency: p.currency,
      full: p.full,
      refundedAt: p.refundedAt,
      items: order ? order.lines.map((l) => l.productName ?? l.description) : [],
    },
  });
  return emailOutcome(result);
}
