import { Schema, type Connection, type Model } from 'mongoose';
import type { PlanRef, SubscriptionSnapshot } from '../domain/stripe-subscription';
import type { SubscriptionEventKind, SubscriptionState } from '../domain/subscription-state';

/**
 * One `customer.subscription.*` event, stored once under its Stripe event id. The subscription's
 * state is folded from these facts, so it converges whatever order they arrive in. What the
 * handler decided when it first stored the fact (`applied`, `previous`) is kept with it, so a
 * redelivery after a crash publishes the same domain events.
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

export function subscriptionFactModel(conn: Connection): Model<SubscriptionFactDoc> {
  return (
    conn.models.SubscriptionFact ??
    conn.model<SubscriptionFactDoc>('SubscriptionFact', subscriptionFactSchema)
  );
}
