import {
  LICENSES_REACTIVATED_V1,
  LICENSES_REVOKED_V1,
  LICENSES_SUSPENDED_V1,
  SUBSCRIPTION_CANCELLED_V1,
  SUBSCRIPTION_CREATED_V1,
  SUBSCRIPTION_UPDATED_V1,
  type StripeEventShape,
  type SubscriptionStateV1,
} from '@billing/contracts';
import {
  causeOf,
  done,
  outboxEvent,
  retry,
  skipped,
  type EventHandler,
  type HandlerContext,
  type OutboxEvent,
  type Outcome,
} from '@billing/runtime';
import { toSummary, type LicenseRecord, type LicenseView } from '../domain/license-view';
import {
  planDiffers,
  previousPlanOf,
  snapshotOf,
  type SubscriptionSnapshot,
} from '../domain/stripe-subscription';
import { applyFact, isApplied, type SubscriptionEventKind } from '../domain/subscription-state';
import type { StoredSubscriptionFact } from '../db/subscription.repository';
import { pagedLicenseEvents } from '../domain/license-events';
import type { HandlerDeps } from './deps';

/**
 * `customer.subscription.created|updated|deleted`. The event is stored as a fact first (so an
 * update for a subscription we have not seen, or whose licenses do not exist yet, is never lost:
 * licenses issued later read it), together with what it changed. Then the domain events: the
 * subscription's own, license suspensions/reactivations/revocations, and the customer's tier.
 * An update older than the state already applied changes nothing and announces nothing.
 */
export function subscriptionHandler(
  kind: SubscriptionEventKind,
): EventHandler<StripeEventShape, HandlerDeps> {
  return (event, deps, ctx) => handleSubscriptionEvent(kind, event, deps, ctx);
}

export async function handleSubscriptionEvent(
  kind: SubscriptionEventKind,
  event: StripeEventShape,
  deps: HandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const snapshot = snapshotOf(event.data.object);
  const fact = (await deps.subscriptions.fact(event.id)) ?? (await recordFact(kind, event, snapshot, deps));
  const after = applyFact(fact.previous, fact);
  if (kind === 'updated' && !fact.applied)
    return skipped('older than the subscription state already applied');

  const licenses = await deps.licenses.bySubscription(snapshot.subscriptionId);
  const email = (await emailOf(snapshot, licenses, deps)) ?? null;
  if (!email) return retry('customer email not known yet');

  // A change announced after a later one was applied (its message waited for a retry meanwhile)
  // would report a state that is no longer true: only the fact that made the current state
  // announces an update and its license changes. A deletion is final and always announced.
  const current =
    kind === 'deleted' || (await deps.subscriptions.isCurrent(snapshot.subscriptionId, event.id));
  // Licenses issued after the fact was stored were issued in the state it made (order.licensed).
  const affected = licenses.filter((l) => l.issuedAt <= fact.recordedAt);
  const emissions: OutboxEvent[] =
    kind === 'updated' && !current ? [] : [subscriptionEvent(kind, fact, email, ctx)];
  if (fact.applied && current && affected.length > 0) {
    const [before, now] = await Promise.all([
      deps.views.view(affected, { subscription: { id: snapshot.subscriptionId, state: fact.previous } }),
      deps.views.view(affected, { subscription: { id: snapshot.subscriptionId, state: after } }),
    ]);
    // A license the deletion revoked may also be announced by its order, issued revoked, when
    // the order's message was handled at the same time: one of the two announces it.
    const revokedNow = now.filter((v, i) => v.status === 'revoked' && before[i]!.status !== 'revoked');
    const announced = await deps.revocations.claim(
      revokedNow.map((v) => v.licenseId),
      `subscription:${fact.eventId}`,
      deps.clock(),
    );
    emissions.push(...licenseEvents(fact, before, now, email, ctx, announced));
  }
  await deps.announcer.emitWithTierChange(email, fact, emissions, ctx);
  ctx.logger.info(
    {
      subscriptionId: snapshot.subscriptionId,
      kind,
      applied: fact.applied,
      current,
      status: after.status,
      events: emissions.length,
    },
    'subscription event applied',
  );
  return done();
}

async function recordFact(
  kind: SubscriptionEventKind,
  event: StripeEventShape,
  snapshot: SubscriptionSnapshot,
  deps: HandlerDeps,
): Promise<StoredSubscriptionFact> {
  const base = { eventId: event.id, kind, created: event.created, snapshot };
  const previous = await deps.subscriptions.previousOf(
    { ...base, subscriptionId: snapshot.subscriptionId },
    deps.clock(),
  );
  const previousAttributes = event.data.previous_attributes;
  const previousPlan = kind === 'updated' ? previousPlanOf(previousAttributes) : null;
  return deps.subscriptions.record(
    {
      ...base,
      subscriptionId: snapshot.subscriptionId,
      stripeCustomerId: snapshot.stripeCustomerId,
      changed: Object.keys(previousAttributes ?? {}),
      previousPlan: previousPlan && planDiffers(previousPlan, snapshot) ? previousPlan : null,
      applied: isApplied(previous, applyFact(previous, base)),
      previous,
    },
    deps.clock(),
  );
}

async function emailOf(
  snapshot: SubscriptionSnapshot,
  licenses: readonly LicenseRecord[],
  deps: HandlerDeps,
): Promise<string | undefined> {
  const known = snapshot.stripeCustomerId ? await deps.customers.emailOf(snapshot.stripeCustomerId) : null;
  return known ?? licenses[0]?.customerEmail;
}

function subscriptionEvent(
  kind: SubscriptionEventKind,
  fact: StoredSubscriptionFact,
  email: string,
  ctx: HandlerContext,
): OutboxEvent {
  const payload: SubscriptionStateV1 = {
    subscriptionId: fact.subscriptionId,
    customerEmail: email,
    stripeCustomerId: fact.snapshot.stripeCustomerId,
    status: fact.snapshot.status,
    tier: fact.snapshot.tier,
    priceId: fact.snapshot.priceId,
    productId: fact.snapshot.productId,
    currentPeriodEnd: fact.snapshot.currentPeriodEnd ? fact.snapshot.currentPeriodEnd.toISOString() : null,
    cancelAtPeriodEnd: fact.snapshot.cancelAtPeriodEnd,
    changed: fact.changed,
    ...(fact.previousPlan && { previousPlan: fact.previousPlan }),
  };
  if (kind === 'created') {
    return outboxEvent(SUBSCRIPTION_CREATED_V1, {
      id: `licensing.subscription.created:${fact.subscriptionId}`,
      payload,
      ...causeOf(ctx),
    });
  }
  if (kind === 'deleted') {
    return outboxEvent(SUBSCRIPTION_CANCELLED_V1, {
      id: `licensing.subscription.cancelled:${fact.subscriptionId}`,
      payload,
      ...causeOf(ctx),
    });
  }
  return outboxEvent(SUBSCRIPTION_UPDATED_V1, {
    id: `licensing.subscription.updated:${fact.eventId}`,
    payload,
    ...causeOf(ctx),
  });
}

/** License transitions this fact caused, license by license (a refunded license stays revoked). */
function licenseEvents(
  fact: StoredSubscriptionFact,
  before: readonly LicenseView[],
  after: readonly LicenseView[],
  email: string,
  ctx: HandlerContext,
  /** The revoked licenses this handler announces (see RevocationClaims). */
  announcedRevocations: ReadonlySet<string>,
): OutboxEvent[] {
  const moved = (from: (s: string) => boolean, to: string) =>
    after.filter((view, i) => view.status === to && from(before[i]!.status)).map(toSummary);
  const common = {
    customerEmail: email,
    subscriptionId: fact.subscriptionId,
    orderId: after[0]?.orderId ?? null,
  };
  const out: OutboxEvent[] = [];
  const revoked = moved((s) => s !== 'revoked', 'revoked').filter((l) =>
    announcedRevocations.has(l.licenseId),
  );
  if (revoked.length > 0) {
    out.push(
      ...pagedLicenseEvents(
        LICENSES_REVOKED_V1,
        `licensing.licenses.revoked:${fact.eventId}`,
        { ...common, licenses: revoked, reason: 'subscription_deleted' },
        causeOf(ctx),
      ),
    );
  }
  const suspended = moved((s) => s === 'active', 'suspended');
  if (suspended.length > 0) {
    out.push(
      ...pagedLicenseEvents(
        LICENSES_SUSPENDED_V1,
        `licensing.licenses.suspended:${fact.eventId}`,
        { ...common, licenses: suspended, reason: `subscription_${fact.snapshot.status}` },
        causeOf(ctx),
      ),
    );
  }
  const reactivated = moved((s) => s === 'suspended', 'active');
  if (reactivated.length > 0) {
    out.push(
      ...pagedLicenseEvents(
        LICENSES_REACTIVATED_V1,
        `licensing.licenses.reactivated:${fact.eventId}`,
        { ...common, licenses: reactivated },
        causeOf(ctx),
      ),
    );
  }
  return out;
}
