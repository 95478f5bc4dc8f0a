import type { PaymentFailedV1, TypedEnvelope } from '@billing/contracts';
import { done, type HandlerContext, type Outcome } from '@billing/runtime';
import { describeFailure } from '../email/decline-reasons';
import { outboundEvent } from '../webhooks/dispatcher';
import type { HandlerDeps } from './deps';
import { emailOutcome } from './email-outcome';

/** `orders.payment.failed`: `payment.failed`, and an email saying why in plain words and what to do. */
export async function handlePaymentFailed(
  event: TypedEnvelope<PaymentFailedV1>,
  deps: HandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const p = event.payload;
  await deps.webhooks.publish([
    outboundEvent(event.id, 'payment.failed', event.occurredAt, {
      orderId: p.orderId,
      customerEmail: p.customerEmail,
      subscriptionId: p.subscriptionId,
      invoiceId: p.invoiceId,
      paymentIntentId: p.paymentIntentId,
      amount: p.amount,
      currency: p.currency,
      reason: { code: p.reason.code, declineCode: p.reason.declineCode, message: p.reason.message },
      failedAt: p.failedAt,
    }),
  ]);
  if (!p.customerEmail) {
    ctx.logger.info('payment failure without a customer email: no email sent');
    return done();
  }

  const friendly = describeFailure(p.reason);
  const result = await deps.emails.send({
    eventId: event.id,
    template: 'payment-failed',
    to: p.customerEmail,
    model: {
      orderId: p.orderId,
      amount: p.amount,
      currency: p.currency,
      failedAt: p.failedAt,
      reason: friendly.reason,
      nextSteps: friendly.nextSteps,
      isSubscription: p.subscriptionId !== null,
    },
  });
  return emailOutcome(result);
}
