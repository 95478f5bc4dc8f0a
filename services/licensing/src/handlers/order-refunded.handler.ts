import { LICENSES_REVOKED_V1, type OrderRefundedV1, type TypedEnvelope } from '@billing/contracts';
import { causeOf, done, skipped, type HandlerContext, type Outcome } from '@billing/runtime';
import { toSummary } from '../domain/license-view';
import { pagedLicenseEvents } from '../domain/license-events';
import type { HandlerDeps } from './deps';

/**
 * `orders.order.refunded.v1`: a full refund revokes the order's licenses; a partial one keeps
 * them unless `LICENSING_REVOKE_ON_PARTIAL_REFUND`. The refund is stored first, so licenses
 * issued after it (events out of order) are revoked from the start.
 */
export async function handleOrderRefunded(
  envelope: TypedEnvelope<OrderRefundedV1>,
  deps: HandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const refund = envelope.payload;
  await deps.orderFacts.recordRefund(
    {
      refundId: refund.refundId,
      orderId: refund.orderId,
      chargeId: refund.chargeId,
      full: refund.full,
      amount: refund.amount,
      refundedAt: new Date(refund.refundedAt),
    },
    deps.clock(),
  );
  if (!refund.full && !deps.policy.revokeOnPartialRefund) return skipped('partial refund keeps the licenses');
  const licenses = await deps.licenses.byOrder(refund.orderId);
  if (licenses.length === 0) return skipped('no licenses for this order yet');

  const [before, after] = await Promise.all([
    deps.views.view(licenses, { exceptRefundId: refund.refundId }),
    deps.views.view(licenses),
  ]);
  const revoked = after.filter((view, i) => view.status === 'revoked' && before[i]!.status !== 'revoked');
  if (revoked.length === 0) return skipped('licenses were already revoked');
  await deps.announcer.emitWithTierChange(
    refund.customerEmail,
    { stripeCustomerId: licenses[0]!.stripeCustomerId, subscriptionId: revoked[0]!.subscriptionId },
    pagedLicenseEvents(
      LICENSES_REVOKED_V1,
      `licensing.licenses.revoked:${refund.refundId}`,
      {
        customerEmail: refund.customerEmail,
        subscriptionId: revoked[0]!.subscriptionId,
        orderId: refund.orderId,
        licenses: revoked.map(toSummary),
        reason: 'refunded',
      },
      causeOf(ctx),
    ),
    ctx,
  );
  ctx.logger.info(
    { orderId: refund.orderId, refundId: refund.refundId, licenses: revoked.length },
    'licenses revoked',
  );
  return done();
}
