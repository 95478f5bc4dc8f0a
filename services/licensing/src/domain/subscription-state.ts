import type { SubscriptionSnapshot } from './stripe-subscription';

export type SubscriptionEventKind = 'created' | 'updated' | 'deleted';

/** One `customer.subscription.*` event as stored: a fact, never changed once written. */
export interface SubscriptionFact {
  eventId: string;
  kind: SubscriptionEventKind;
  /** Stripe `created` of the event, Unix seconds. */
  created: number;
  snapshot: SubscriptionSnapshot;
}

/** The subscription as the stored facts say it is now, whatever order they arrived in. */
export interface SubscriptionState extends SubscriptionSnapshot {
  deleted: boolean;
  lastEventId: string;
  lastEventKind: SubscriptionEventKind;
  lastEventCreated: number;
}

/** Licenses follow the subscription: usable, suspended (reversible) or revoked (for good). */
export type Access = 'active' | 'suspended' | 'revoked';

// Events of the same second: a subscription is created, then updated, then deleted.
const KIND_RANK: Record<SubscriptionEventKind, number> = { created: 0, updated: 1, deleted: 2 };

/** Orders facts by Stripe `created`, then by lifecycle position, then by id (any fixed order will do). */
export function compareFacts(
  a: Pick<SubscriptionFact, 'created' | 'kind' | 'eventId'>,
  b: Pick<SubscriptionFact, 'created' | 'kind' | 'eventId'>,
): number {
  if (a.created !== b.created) return a.created - b.created;
  if (a.kind !== b.kind) return KIND_RANK[a.kind] - KIND_RANK[b.kind];
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/**
 * The state is the newest fact; once deleted, the deletion is the state whatever came after it.
 * Because this is a pure function of the set of facts, every delivery order converges to the
 * same state.
 */
export function foldSubscription(facts: readonly SubscriptionFact[]): SubscriptionState | null {
  const deletions = facts.filter((f) => f.kind === 'deleted');
  const pool = deletions.length > 0 ? deletions : facts;
  if (pool.length === 0) return null;
  return stateOf(pool.reduce((a, b) => (compareFacts(a, b) >= 0 ? a : b)));
}

function stateOf(fact: SubscriptionFact): SubscriptionState {
  const deleted = fact.kind === 'deleted';
  return {
    ...fact.snapshot,
    status: deleted ? 'canceled' : fact.snapshot.status,
    deleted,
    lastEventId: fact.eventId,
    lastEventKind: fact.kind,
    lastEventCreated: fact.created,
  };
}

/** The state after one more fact: the same as folding all facts including it. */
export function applyFact(previous: SubscriptionState | null, fact: SubscriptionFact): SubscriptionState {
  if (!previous) return stateOf(fact);
  const deletes = fact.kind === 'deleted';
  if (previous.deleted !== deletes) return deletes ? stateOf(fact) : previous;
  const last = {
    created: previous.lastEventCreated,
    kind: previous.lastEventKind,
    eventId: previous.lastEventId,
  };
  return compareFacts(fact, last) > 0 ? stateOf(fact) : previous;
}

/** Whether a new fact changes the state: it is the newest, or it deletes the subscription. */
export function isApplied(previous: SubscriptionState | null, after: SubscriptionState): boolean {
  return !previous || previous.lastEventId !== after.lastEventId || previous.deleted !== after.deleted;
}

const USABLE = new Set(['active', 'trialing']);

/**
 * `active`/`trialing` keep licenses usable; a deletion revokes them; every other status
 * (`past_due`, `unpaid`, `paused`, `incomplete`, ...) suspends them until the subscription is
 * active again. No subscription state (not seen yet) leaves licenses usable.
 */
export function accessOf(state: SubscriptionState | null): Access {
  if (!state) return 'active';
  if (state.deleted) return 'revoked';
  return USABLE.has(state.status) ? 'active' : 'suspended';
}

/** Whether a subscription in this state still gives its customer its tier (dunning keeps it). */
export function grantsTier(state: SubscriptionState): boolean {
  return !state.deleted && state.status !== 'canceled' && state.status !== 'incomplete_expired';
}
