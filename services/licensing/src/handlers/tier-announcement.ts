import { TIER_CHANGED_V1 } from '@billing/contracts';
import type { HandlerContext } from '@billing/runtime';
import { featuresOf } from '../domain/tiers';
import { emission, type Emission, type HandlerDeps } from './deps';

interface TierAnnouncement {
  email: string;
  tier: string;
  emission: Emission;
}

/**
 * `licensing.tier.changed` when the customer's tier as the facts say now differs from the tier
 * last announced for the email; null when it does not. The message id is the id of the message
 * being handled (the Stripe event, or the orders envelope).
 */
async function tierAnnouncement(
  email: string,
  cause: { stripeCustomerId: string | null; subscriptionId: string | null },
  ctx: HandlerContext,
  deps: Pick<HandlerDeps, 'views' | 'customers' | 'policy'>,
): Promise<TierAnnouncement | null> {
  const { tiers } = deps.policy;
  const [tier, announced] = await Promise.all([
    deps.views.tierOf(email),
    deps.customers.announcedTier(email),
  ]);
  const previousTier = announced ?? tiers.defaultTier;
  if (tier === previousTier) return null;
  const payload = {
    customerEmail: email,
    stripeCustomerId: cause.stripeCustomerId,
    subscriptionId: cause.subscriptionId,
    previousTier,
    tier,
    features: featuresOf(tiers, tier),
  };
  return {
    email,
    tier,
    emission: emission(TIER_CHANGED_V1, `licensing.tier.changed:${ctx.messageId}`, payload, ctx),
  };
}

/**
 * Remembers the announced tier, only after the announcement is published: a crash in
 * between announces it again under the same id.
 */
async function commitTier(
  announcement: TierAnnouncement | null,
  deps: Pick<HandlerDeps, 'customers' | 'clock'>,
) {
  if (announcement)
    await deps.customers.setAnnouncedTier(announcement.email, announcement.tier, deps.clock());
}

// Announcements for one email run one after another in this process: the Stripe and the orders
// consumers can both handle events of the same customer at once, and the read-announce-remember
// sequence above must not interleave (two "PRO unlocked" emails). Across replicas the id of each
// announcement still differs, a limit the README states.
const chains = new Map<string, Promise<unknown>>();

/**
 * Emits `emissions` together with the tier change they cause (if any), then remembers the tier,
 * serialised per customer email.
 */
export async function emitWithTierChange(
  email: string,
  cause: { stripeCustomerId: string | null; subscriptionId: string | null },
  emissions: readonly Emission[],
  ctx: HandlerContext,
  deps: Pick<HandlerDeps, 'views' | 'customers' | 'policy' | 'events' | 'clock'>,
): Promise<void> {
  const key = email.toLowerCase();
  const previous = chains.get(key) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const tier = await tierAnnouncement(email, cause, ctx, deps);
      await deps.events.emit([...emissions, ...(tier ? [tier.emission] : [])]);
      await commitTier(tier, deps);
    });
  chains.set(key, run);
  try {
    await run;
  } finally {
    if (chains.get(key) === run) chains.delete(key);
  }
}
