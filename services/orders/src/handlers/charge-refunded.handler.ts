import type { StripeEventShape } from '@billing/contracts';
import { causeOf, done, retry, type HandlerContext, type Outcome } from '@billing/runtime';
import type { Refund } from '../db/refund.model';
import { idOf, refundsCoveredBy, type ChargeWire } from '../stripe/stripe-objects';
import { objectOf, scopeOf } from '../stripe/stripe-event';
import type { OrdersHandlerDeps } from './deps';

/**
 * `charge.refunded`: applies each refund of the charge to its order, once per refund id; a refund
 * that completes the charge's refund is `full` (order `refunded`), else `partially_refunded`.
 * Webhook bodies no longer embed the refunds (since 2022-11-15), so they are listed from Stripe.
 */
export async function handleChargeRefunded(
  event: StripeEventShape,
  deps: OrdersHandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const charge = objectOf<ChargeWire>(event);
  const paymentIntentId = idOf(charge.payment_intent);
  const { order } = await deps.links.resolve({
    paymentIntentId,
    invoice: charge.invoice,
    scope: scopeOf(event, ctx),
  });
  if (!order) return retry(`no order for charge ${charge.id} yet`);

  const refunds = refundsCoveredBy(
    charge,
    charge.refunds?.data ?? (await deps.stripe.refundsOfCharge(charge.id, scopeOf(event, ctx))),
  );
  if (!refunds) return retry(`refunds of ${charge.id} do not add up to ${charge.amount_refunded} yet`);
  const stored: Refund[] = [];
  for (const r of refunds) {
    const { refund } = await deps.ledger.addRefund({
      refundId: r.refundId,
      orderId: order.orderId,
      customerEmail: order.customerEmail,
      chargeId: charge.id,
      paymentIntentId,
      amount: r.amount,
      amountRefunded: r.amountRefunded,
      amountCharged: charge.amount,
      currency: charge.currency,
      full: r.full,
      refundedAt: r.refundedAt,
    });
    stored.push(refund);
  }
  if (deps.restockOnRefund && stored.some((r) => r.full)) await deps.inventory.restock(order, ctx.logger);
  const current = await deps.book.refresh(order.orderId, order);
  await deps.events.emit(...stored.map((refund) => deps.events.refunded(refund, current, causeOf(ctx))));
  ctx.logger.info(
    { orderId: order.orderId, chargeId: charge.id, refunds: stored.length, status: current.status },
    'refunds recorded',
  );
  return done();
}
