import type { TierChangedV1, TypedEnvelope } from '@billing/contracts';
import { done, type Outcome } from '@billing/runtime';
import { outboundEvent } from '../webhooks/dispatcher';
import type { HandlerDeps } from './deps';
import { emailOutcome } from './email-outcome';

/** The tier a customer without a paid subscription has. */
export function isFreeTier(tier: string): boolean {
  return tier.trim().toUpperCase() === 'FREE';
}

/**
 * `licensing.tier.changed`: `tier.changed`, and an email: "subscription ended" on a downgrade to
 * FREE, otherwise "subscription confirmed / tier unlocked" with the features the tier brings
 * (worded without "subscription" when a one-time license changed the tier).
 */
export async function handleTierChanged(
  event: TypedEnvelope<TierChangedV1>,
  deps: HandlerDeps,
): Promise<Outcome> {
  const p = event.payload;
  await deps.webhooks.publish([
    outboundEvent(event.id, 'tier.changed', event.occurredAt, {
      customerEmail: p.customerEmail,
      stripeCustomerId: p.stripeCustomerId,
      subscriptionId: p.subscriptionId,
      previousTier: p.previousTier,
      tier: p.tier,
      features: p.features,
    }),
  ]);
  if (p.tier.toUpperCase() === p.previousTier.toUpperCase()) return done();
  // A one-time purchase with a tier (e.g. a lifetime license) changes the tier without a subscription.
  const isSubscription = p.subscriptionId !== null;

  const result = isFreeTier(p.tier)
    ? await deps.emails.send({
        eventId: event.id,
        template: 'subscription-ended',
        to: p.customerEmail,
        model: { previousTier: p.previousTier, tier: p.tier, isSubscription },
      })
    : await deps.emails.send({
        eventId: event.id,
        template: 'subscription-confirmed',
        to: p.customerEmail,
        model: {
          tier: p.tier,
          previousTier: p.previousTier,
          features: p.features,
          isNew: isFreeTier(p.previousTier),
          isSubscription,
        },
      });
  return emailOutcome(result);
}
