import type { PaymentRecordedV1, TypedEnvelope } from '@billing/contracts';
import { done, type Outcome } from '@billing/runtime';
import { outboundEvent } from '../webhooks/dispatcher';
import type { HandlerDeps } from './deps';
import { emailOutcome } from './email-outcome';

/**
 * `orders.payment.recorded`: `payment.succeeded` for every payment; a receipt email only for
 * renewals (`subscription_cycle`), because the purchase confirmation covers the first invoice.
 */
export async function handlePaymentRecorded(
  event: TypedEnvelope<PaymentRecordedV1>,
  deps: HandlerDeps,
): Promise<Outcome> {
  const p = event.payload;
  await deps.webhooks.publish([
    outboundEvent(event.id, 'payment.succeeded', event.occurredAt, {
      paymentId: p.paymentId,
      orderId: p.orderId,
      customerEmail: p.customerEmail,
      subscriptionId: p.subscriptionId,
      invoiceId: p.invoiceId,
      paymentIntentId: p.paymentIntentId,
      billingReason: p.billingReason,
      amount: p.amount,
      currency: p.currency,
      periodEnd: p.periodEnd,
      receiptUrl: p.receiptUrl,
      paidAt: p.paidAt,
      ...(p.account && { account: p.account }),
      ...(p.stripeAccount && { stripeAccount: p.stripeAccount }),
    }),
  ]);
  if (p.billingReason !== 'subscription_cycle') return done();

  const result = await deps.emails.send({
    eventId: event.id,
    template: 'payment-receipt',
    to: p.customerEmail,
    model: {
      orderId: p.orderId,
      invoiceId: p.invoiceId,
      amount: p.amount,
      currency: p.currency,
      paidAt: p.paidAt,
      periodEnd: p.periodEnd,
      receiptUrl: p.receiptUrl,
    },
  });
  return emailOutcome(result);
}
