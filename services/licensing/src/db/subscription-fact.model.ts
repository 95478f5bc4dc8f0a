import { Schema, type Connection, type Model } from 'mongoose';
import type { PlanRef, SubscriptionSnapshot } from '../domain/stripe-subscription';
import type { SubscriptionEventKind, SubscriptionState } from '../domain/subscription-state';

/**
 * One `customer.subscription.*` event, stored once under its Stripe event id. The subscription's
 * state is folded from these facts, so it converges whatever order they arrive in. What the
 * handler decided when it first stored the fact (`applied`, `previous`) is kept with it, so a
 * redelivery after a crash publishes the same domain events. `previous` comes from the fact's link
 * in the subscription's chain (see {@link SubscriptionLinkDoc}).
 */
export interface SubscriptionFactDoc {
  /** Stripe event id. */
  _id: string;
  subscriptionId: string;
  stripeCustomerId: string | null;
  kind: SubscriptionEventKind;
  /** Stripe event `created`, Unix seconds. */
  created: number;
  snapshot: SubscriptionSnapshot;
  /** Top-level fields Stripe reported as changed (`previous_attributes`). */
  changed: string[];
  /** The plan before an update that changed price, product or tier. */
  previousPlan: PlanRef | null;
  /** The fact was newer than the state when it arrived, so it changed the state. */
  applied: boolean;
  /** The state before this fact arrived (null: first fact of the subscription). */
  previous: SubscriptionState | null;
  recordedAt: Date;
}

const subscriptionFactSchema = new Schema<SubscriptionFactDoc>(
  {
    _id: { type: String, required: true },
    subscriptionId: { type: String, required: true },
    stripeCustomerId: { type: String, default: null },
    kind: { type: String, required: true },
    created: { type: Number, required: true },
    snapshot: { type: Schema.Types.Mixed, required: true },
    changed: { type: [String], default: [] },
    previousPlan: { type: Schema.Types.Mixed, default: null },
    applied: { type: Boolean, required: true },
    previous: { type: Schema.Types.Mixed, default: null },
    recordedAt: { type: Date, required: true },
  },
  { collection: 'subscription_facts', versionKey: false, minimize: false },
);
// Serves "all facts of this subscription" (folding its state).
subscriptionFactSchema.index({ subscriptionId: 1, created: 1 });
// Serves "the subscriptions of these Stripe customers" (a customer's tier).
subscriptionFactSchema.index({ stripeCustomerId: 1 });

/**
 * One link of a subscription's chain of applied facts: `_id` is `<subscriptionId>:<position>`,
 * and each event id appears at most once (unique). Of any number of replicas that apply events of
 * the same subscription at once, exactly one insert takes each position, so every fact is judged
 * against the state its predecessor in the chain left, and every transition is decided once.
 */
export interface SubscriptionLinkDoc {
  _id: string;
  subscriptionId: string;
  /** 1 for the first fact applied, then 2, 3, ... */
  position: number;
  eventId: string;
  /** The state this fact was judged against (the previous link's `state`). */
  previous: SubscriptionState | null;
  /** The subscription's state after this fact. */
  state: SubscriptionState;
  decidedAt: Date;
}

const subscriptionLinkSchema = new Schema<SubscriptionLinkDoc>(
  {
    _id: { type: String, required: true },
    subscriptionId: { type: String, required: true },
    position: { type: Number, required: true },
    eventId: { type: String, required: true },
    previous: { type: Schema.Types.Mixed, default: null },
    state: { type: Schema.Types.Mixed, required: true },
    decidedAt: { type: Date, required: true },
  },
  { collection: 'subscription_links', versionKey: false, minimize: false },
);
// Serves "the last link of this subscription".
subscriptionLinkSchema.index({ subscriptionId: 1, position: -1 });
// An event takes one position; serves "where this event stands".
subscriptionLinkSchema.index({ eventId: 1 }, { unique: true });

export function subscriptionLinkModel(conn: Connection): Model<SubscriptionLinkDoc> {
  return (
    conn.models.SubscriptionLink ??
    conn.model<SubscriptionLinkDoc>('SubscriptionLink', subscriptionLinkSchema)
  );
}

export function subscriptionFactModel(conn: Connection): Model<SubscriptionFactDoc> {
  return (
    conn.models.SubscriptionFact ??
    conn.model<SubscriptionFactDoc>('SubscriptionFact', subscriptionFactSchema)
  );
}
