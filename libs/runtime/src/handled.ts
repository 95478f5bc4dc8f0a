import { Schema, type Connection, type Model } from 'mongoose';
import type { RetentionRule } from './retention';
import type { ConsumerOutcome } from './runner';
import type { StripeEventFacts } from './stripe-event-facts';

/** What one consumer last did with one message (see HandledLog). */
export interface HandledRecord {
  consumer: string;
  messageId: string;
  subject: string;
  /** The Stripe event the chain started from (the message's correlationId). */
  stripeEventId: string;
  outcome: ConsumerOutcome;
  /** Why it was skipped, retried or parked; null when done. */
  reason: string | null;
  /** JetStream's delivery count at the last handling. */
  deliveryCount: number;
  /**
   * The message's sequence in its stream, to read it again from there (null in records written
   * before it was kept).
   */
  streamSequence: number | null;
  /** Stripe events only (null for domain events): the Stripe event type. */
  eventType: string | null;
  /** Stripe events only: the Stripe customer id the event's object names. */
  customer: string | null;
  /** Stripe events only: the customer's email (lower-cased) the event's object carries. */
  email: string | null;
  firstAt: Date;
  lastAt: Date;
}

/** One handling as the runner reports it; `stripe` for a Stripe event (see stripeEventFacts). */
export interface HandledEntry extends Omit<
  HandledRecord,
  'firstAt' | 'lastAt' | 'eventType' | 'customer' | 'email' | 'streamSequence'
> {
  streamSequence: number;
  stripe?: StripeEventFacts;
}

/** A Stripe event as one service handled it: each of its consumers' records. */
export interface HandledStripeEvent {
  id: string;
  type: string;
  customer: string | null;
  email: string | null;
  /** When Stripe created it. */
  createdAt: Date;
  /** The first and the last handling by any of the service's consumers. */
  firstAt: Date;
  lastAt: Date;
  consumers: HandledRecord[];
}

/** Which Stripe events to list (see HandledLog.stripeEvents). */
export interface StripeEventFilter {
  type?: string;
  customer?: string;
  /** Compared lower-cased. */
  email?: string;
  /** Created by Stripe at or after. */
  since?: Date;
  /** Created by Stripe before. */
  until?: Date;
  /** A `nextBefore` of an earlier page: the events after it in the list. */
  before?: string;
  limit: number;
}

interface HandledDoc extends HandledRecord {
  /** `<consumer>:<messageId>`: one record per consumer and message. */
  _id: string;
  /**
   * Stripe events only: `<created, ISO 8601>_<event id>`. Sorting on it lists Stripe events newest
   * first, ties broken by id, with every consumer's record of one event next to each other; a
   * range on it is a time range (`since`, `until`) and the paging cursor (`before`).
   */
  eventOrder?: string;
}

/** A `nextBefore` cursor: an `eventOrder`. */
export const EVENT_ORDER_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z_[A-Za-z0-9_-]{1,255}$';

const eventOrderOf = (facts: StripeEventFacts, eventId: string) =>
  `${facts.createdAt.toISOString()}_${eventId}`;

const handledSchema = new Schema<HandledDoc>(
  {
    _id: { type: String, required: true },
    consumer: { type: String, required: true },
    messageId: { type: String, required: true },
    subject: { type: String, required: true },
    stripeEventId: { type: String, required: true },
    outcome: { type: String, required: true },
    reason: { type: String, default: null },
    deliveryCount: { type: Number, required: true },
    streamSequence: { type: Number, default: null },
    eventType: { type: String, default: null },
    customer: { type: String, default: null },
    email: { type: String, default: null },
    eventOrder: { type: String },
    firstAt: { type: Date, required: true },
    lastAt: { type: Date, required: true },
  },
  { collection: 'handled_messages', versionKey: false },
);
// What this service did with one Stripe event's chain, oldest first (GET /admin/stripe-events/:id).
handledSchema.index({ stripeEventId: 1, firstAt: 1 });
// The Stripe events this service handled, newest first (GET /admin/stripe-events, no filter or
// only since / until / before: ranges on eventOrder). Domain events have no eventOrder.
handledSchema.index({ eventOrder: -1 });
// ... of one Stripe event type (GET /admin/stripe-events?type=).
handledSchema.index({ eventType: 1, eventOrder: -1 });
// ... of one Stripe customer (GET /admin/stripe-events?customer=).
handledSchema.index({ customer: 1, eventOrder: -1 });
// ... naming one email (GET /admin/stripe-events?email=).
handledSchema.index({ email: 1, eventOrder: -1 });
// Retention: records not handled again for longer than HANDLED_RETENTION_DAYS.
handledSchema.index({ lastAt: 1 });

/** At most this many records per Stripe event in an answer (a chain has a handful). */
const MAX_PER_EVENT = 500;

const toRecord = ({ _id, eventOrder: _order, ...doc }: HandledDoc): HandledRecord => ({
  ...doc,
  streamSequence: doc.streamSequence ?? null,
  eventType: doc.eventType ?? null,
  customer: doc.customer ?? null,
  email: doc.email ?? null,
});

/**
 * What each consumer of this service did with each message: a status record for operators (the
 * dashboard's "Stripe events" page), written by the runner after each handling. It decides
 * nothing (the unique keys of the effects do), so a plain upsert where the last write wins is
 * enough: two replicas handling one message at once may leave either's outcome, no atomicity is
 * needed.
 */
export class HandledLog {
  private readonly model: Model<HandledDoc>;

  constructor(conn: Connection) {
    this.model = conn.models.HandledMessage ?? conn.model<HandledDoc>('HandledMessage', handledSchema);
  }

  async record(entry: HandledEntry, now = new Date()): Promise<void> {
    const { consumer, messageId, stripe } = entry;
    const facts = stripe && {
      eventType: stripe.eventType,
      customer: stripe.customer,
      email: stripe.email,
      eventOrder: eventOrderOf(stripe, messageId),
    };
    await this.model.updateOne(
      { _id: `${consumer}:${messageId}` },
      {
        $set: {
          subject: entry.subject,
          stripeEventId: entry.stripeEventId,
          outcome: entry.outcome,
          reason: entry.reason,
          deliveryCount: entry.deliveryCount,
          streamSequence: entry.streamSequence,
          ...facts,
          lastAt: now,
        },
        $setOnInsert: { consumer, messageId, firstAt: now },
      },
      { upsert: true },
    );
  }

  /**
   * A parked message an operator or the service replayed and that applied (or was skipped): its
   * record, written when it was parked, says so from now on. A message parked before it could be
   * decoded has no record, and gets none.
   */
  async recordReplay(
    entry: Pick<HandledRecord, 'consumer' | 'messageId' | 'outcome' | 'reason'>,
    now = new Date(),
  ): Promise<void> {
    await this.model.updateOne(
      { _id: `${entry.consumer}:${entry.messageId}` },
      { $set: { outcome: entry.outcome, reason: entry.reason, lastAt: now } },
    );
  }

  /** What this service handled of one Stripe event's chain, oldest first. */
  async forStripeEvent(stripeEventId: string): Promise<HandledRecord[]> {
    const docs = await this.model
      .find({ stripeEventId })
      .sort({ firstAt: 1 })
      .limit(MAX_PER_EVENT)
      .lean<HandledDoc[]>();
    return docs.map(toRecord);
  }

  /**
   * The Stripe events this service handled, newest first (by when Stripe created them), at most
   * `limit`, with `nextBefore` for the next page (null on the last). One range scan on an index:
   * every consumer's record of an event shares its eventOrder, so the records come grouped by
   * event, and reading stops at the first record of the event after the page.
   */
  async stripeEvents(
    filter: StripeEventFilter,
  ): Promise<{ items: HandledStripeEvent[]; nextBefore: string | null }> {
    const upper = [filter.until?.toISOString(), filter.before].filter((b): b is string => !!b).sort()[0];
    const query = {
      // '' is below every eventOrder; a string range never matches a domain event's missing one.
      eventOrder: { $gte: filter.since?.toISOString() ?? '', ...(upper && { $lt: upper }) },
      ...(filter.type && { eventType: filter.type }),
      ...(filter.customer && { customer: filter.customer }),
      ...(filter.email && { email: filter.email.trim().toLowerCase() }),
    };
    const groups = new Map<string, HandledDoc[]>();
    let more = false;
    const cursor = this.model
      .find(query)
      .sort({ eventOrder: -1 })
      .batchSize(filter.limit + 1)
      .lean<HandledDoc[]>()
      .cursor();
    try {
      for await (const doc of cursor as AsyncIterable<HandledDoc>) {
        const group = groups.get(doc.messageId);
        if (group) group.push(doc);
        else if (groups.size === filter.limit) {
          more = true;
          break;
        } else groups.set(doc.messageId, [doc]);
      }
    } finally {
      await cursor.close();
    }
    const items = [...groups.values()].map(toStripeEvent);
    const last = [...groups.values()].at(-1)?.[0];
    return { items, nextBefore: more && last?.eventOrder ? last.eventOrder : null };
  }

  /**
   * A customer's erasure: the Stripe events that carried the email name the placeholder instead
   * (served by the email index). Returns how many records changed.
   */
  async eraseEmail(email: string, placeholder: string): Promise<number> {
    const result = await this.model.updateMany(
      { email: email.trim().toLowerCase() },
      { $set: { email: placeholder } },
    );
    return result.modifiedCount;
  }

  /** Records not handled again for `keepMs` are deleted. */
  retentionRule(keepMs: number): RetentionRule {
    return { name: 'handled-message log', model: this.model, field: 'lastAt', keepMs };
  }
}

function toStripeEvent(docs: HandledDoc[]): HandledStripeEvent {
  const first = docs[0]!;
  const consumers = docs.map(toRecord).sort((a, b) => a.consumer.localeCompare(b.consumer));
  return {
    id: first.messageId,
    type: first.eventType ?? 'unknown',
    customer: first.customer ?? null,
    email: first.email ?? null,
    createdAt: new Date(first.eventOrder!.slice(0, 24)),
    firstAt: new Date(Math.min(...docs.map((d) => d.firstAt.getTime()))),
    lastAt: new Date(Math.max(...docs.map((d) => d.lastAt.getTime()))),
    consumers,
  };
}
