import type { Connection, Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import {
  applyFact,
  foldSubscription,
  type SubscriptionFact,
  type SubscriptionState,
} from '../domain/subscription-state';
import {
  subscriptionFactModel,
  subscriptionLinkModel,
  type SubscriptionFactDoc,
  type SubscriptionLinkDoc,
} from './subscription-fact.model';

/** Positions tried before giving up (other replicas kept taking the next one meanwhile). */
const MAX_POSITIONS_TRIED = 20;

export type StoredSubscriptionFact = Omit<SubscriptionFactDoc, '_id'> & { eventId: string };

function toFact(doc: SubscriptionFactDoc): SubscriptionFact {
  return { eventId: doc._id, kind: doc.kind, created: doc.created, snapshot: doc.snapshot };
}

function toStored(doc: SubscriptionFactDoc): StoredSubscriptionFact {
  const { _id, ...rest } = doc;
  return { eventId: _id, ...rest };
}

/** Subscription facts and the states folded from them. */
export class SubscriptionRepository {
  private readonly model: Model<SubscriptionFactDoc>;
  private readonly links: Model<SubscriptionLinkDoc>;

  constructor(conn: Connection) {
    this.model = subscriptionFactModel(conn);
    this.links = subscriptionLinkModel(conn);
  }

  /**
   * The state this fact is judged against: the one its predecessor in the subscription's chain
   * left. The fact takes the next position of the chain (an insert under `<subscriptionId>:<n>`);
   * when another replica took that position first, the chain is read again and the next one
   * tried. A fact that has a position already (a redelivery) keeps it.
   */
  async previousOf(
    fact: SubscriptionFact & { subscriptionId: string },
    at: Date,
  ): Promise<SubscriptionState | null> {
    const { subscriptionId, eventId } = fact;
    for (let tried = 0; tried < MAX_POSITIONS_TRIED; tried++) {
      const taken = await this.links.findOne({ eventId }).lean<SubscriptionLinkDoc>();
      if (taken) return taken.previous;
      const last = await this.links
        .findOne({ subscriptionId })
        .sort({ position: -1 })
        .lean<SubscriptionLinkDoc>();
      // Before its first link a subscription may have facts stored without one (older releases).
      const previous = last ? last.state : await this.stateOf(subscriptionId);
      const position = (last?.position ?? 0) + 1;
      const link = {
        _id: `${subscriptionId}:${position}`,
        subscriptionId,
        position,
        eventId,
        previous,
        state: applyFact(previous, fact),
        decidedAt: at,
      };
      if (await insertOnce(this.links, link)) return previous;
    }
    throw new Error(`subscription ${subscriptionId} kept changing while event ${eventId} was applied`);
  }

  /** Whether the subscription's state is still the one this event made (no later fact changed it). */
  async isCurrent(subscriptionId: string, eventId: string): Promise<boolean> {
    const last = await this.links
      .findOne({ subscriptionId })
      .sort({ position: -1 })
      .lean<SubscriptionLinkDoc>();
    return !last || last.state.lastEventId === eventId;
  }

  async fact(eventId: string): Promise<StoredSubscriptionFact | null> {
    const doc = await this.model.findById(eventId).lean<SubscriptionFactDoc>();
    return doc ? toStored(doc) : null;
  }

  /**
   * Stores a fact once. When the event id is already stored (a redelivery), the stored fact, with
   * the decisions taken the first time, is returned instead.
   */
  async record(fact: Omit<StoredSubscriptionFact, 'recordedAt'>, at: Date): Promise<StoredSubscriptionFact> {
    const { eventId, ...rest } = fact;
    if (await insertOnce(this.model, { _id: eventId, ...rest, recordedAt: at }))
      return { ...fact, recordedAt: at };
    const stored = await this.fact(eventId);
    if (!stored) throw new Error(`subscription fact ${eventId} exists but cannot be read`);
    return stored;
  }

  async stateOf(subscriptionId: string): Promise<SubscriptionState | null> {
    return (await this.statesOf([subscriptionId])).get(subscriptionId) ?? null;
  }

  async statesOf(subscriptionIds: readonly string[]): Promise<Map<string, SubscriptionState>> {
    const ids = [...new Set(subscriptionIds)];
    if (ids.length === 0) return new Map();
    const docs = await this.model.find({ subscriptionId: { $in: ids } }).lean<SubscriptionFactDoc[]>();
    return foldAll(docs);
  }

  /** States of every subscription of these Stripe customers. */
  async statesOfCustomers(stripeCustomerIds: readonly string[]): Promise<Map<string, SubscriptionState>> {
    if (stripeCustomerIds.length === 0) return new Map();
    const docs = await this.model
      .find({ stripeCustomerId: { $in: [...stripeCustomerIds] } }, { subscriptionId: 1 })
      .lean<Pick<SubscriptionFactDoc, 'subscriptionId'>[]>();
    return this.statesOf(docs.map((d) => d.subscriptionId));
  }
}

function foldAll(docs: readonly SubscriptionFactDoc[]): Map<string, SubscriptionState> {
  const bySubscription = new Map<string, SubscriptionFact[]>();
  for (const doc of docs) {
    const list = bySubscription.get(doc.subscriptionId) ?? [];
    list.push(toFact(doc));
    bySubscription.set(doc.subscriptionId, list);
  }
  const states = new Map<string, SubscriptionState>();
  for (const [id, facts] of bySubscription) {
    const state = foldSubscription(facts);
    if (state) states.set(id, state);
  }
  return states;
}
