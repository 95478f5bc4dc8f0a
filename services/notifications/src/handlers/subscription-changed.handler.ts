import type { SubscriptionStateV1, TypedEnvelope } from '@billing/contracts';
import { done, type Outcome } from '@billing/runtime';
import { outboundEvent } from '../webhooks/dispatcher';
import type { HandlerDeps } from './deps';

type SubscriptionWebhook = 'subscription.created' | 'subscription.updated' | 'subscription.cancelled';

/** `licensing.subscription.created|updated|cancelled`: the matching `subscription.*` webhook. */
export function subscriptionChangedHandler(type: SubscriptionWebhook) {
  return async (
    event: TypedEnvelope<SubscriptionStateV1>,
    deps: Pick<HandlerDeps, 'webhooks'>,
  ): Promise<Outcome> => {
    const s = event.payload;
    await deps.webhooks.publish([
      outboundEvent(event.id, type, event.occurredAt, {
        subscriptionId: s.subscriptionId,
        customerEmail: s.customerEmail,
        stripeCustomerId: s.stripeCustomerId,
        status: s.status,
        tier: s.tier,
        priceId: s.priceId,
        productId: s.productId,
        currentPeriodEnd: s.currentPeriodEnd,
        cancelAtPeriodEnd: s.cancelAtPeriodEnd,
        changed: s.changed,
        ...(s.previousPlan
          ? {
              previousPlan: {
                priceId: s.previousPlan.priceId,
                productId: s.previousPlan.productId,
                tier: s.previousPlan.tier,
              },
            }
          : {}),
      }),
    ]);
    return done();
  };
}
