import { LICENSES_EXTENDED_V1, type PaymentRecordedV1, type TypedEnvelope } from '@billing/contracts';
import { causeOf, done, skipped, type HandlerContext, type Outcome } from '@billing/runtime';
import { toSummary } from '../domain/license-view';
import { pagedLicenseEvents } from '../domain/license-events';
import type { HandlerDeps } from './deps';

/**
 * `orders.payment.recorded.v1` for a subscription invoice: the licenses of the order run at
 * least until the invoice's period end. The renewal is stored once per invoice, and expiry is the
 * latest paid period, so a late or repeated invoice never shortens it. Stored even before the
 * licenses exist: they take it into account when they are issued.
 */
export async function handlePaymentRecorded(
  envelope: TypedEnvelope<PaymentRecordedV1>,
  deps: HandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const payment = envelope.payload;
  if (payment.source !== 'invoice' || !payment.invoiceId || !payment.periodEnd) {
    return skipped('not an invoice with a billing period');
  }
  const invoiceId = payment.invoiceId;
  await deps.orderFacts.recordRenewal(
    {
      invoiceId,
      orderId: payment.orderId,
      subscriptionId: payment.subscriptionId,
      paymentId: payment.paymentId,
      billingReason: payment.billingReason,
      periodEnd: new Date(payment.periodEnd),
    },
    deps.clock(),
  );
  const licenses = (await deps.licenses.byOrder(payment.orderId)).filter((l) => l.subscriptionId !== null);
  if (licenses.length === 0) return skipped('no subscription licenses for this order yet');

  const [before, after] = await Promise.all([
    deps.views.view(licenses, { exceptInvoiceId: invoiceId }),
    deps.views.view(licenses),
  ]);
  // Revoked licenses stay revoked: a renewal paid late does not bring them back or announce them.
  const extended = after.filter((view, i) => {
    const old = before[i]!.expiresAt;
    return view.status !== 'revoked' && view.expiresAt !== null && (old === null || view.expiresAt > old);
  });
  if (extended.length === 0) return skipped('expiry not moved forward');
  const expiresAt = new Date(Math.max(...extended.map((v) => v.expiresAt!.getTime())));
  await deps.events.emit(
    pagedLicenseEvents(
      LICENSES_EXTENDED_V1,
      `licensing.licenses.extended:${invoiceId}`,
      {
        customerEmail: payment.customerEmail,
        subscriptionId: payment.subscriptionId,
        orderId: payment.orderId,
        invoiceId,
        expiresAt: expiresAt.toISOString(),
        licenses: extended.map(toSummary),
      },
      causeOf(ctx),
    ),
  );
  ctx.logger.info({ orderId: payment.orderId, invoiceId, licenses: extended.length }, 'licenses extended');
  return done();
}
