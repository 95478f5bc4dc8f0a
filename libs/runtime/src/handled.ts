import { Schema, type Connection, type Model } from 'mongoose';
import type { RetentionRule } from './retention';
import type { ConsumerOutcome } from './runner';

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
  firstAt: Date;
  lastAt: Date;
}

/** One handling as the runner reports it. */
export type HandledEntry = Omit<HandledRecord, 'firstAt' | 'lastAt'>;

interface HandledDoc extends HandledRecord {
  /** `<consumer>:<messageId>`: one record per consumer and message. */
  _id: string;
}

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
    firstAt: { type: Date, required: true },
    lastAt: { type: Date, required: true },
  },
  { collection: 'handled_messages', versionKey: false },
);
// What this service did with one Stripe event's chain, oldest first (GET /admin/stripe-events/:id).
handledSchema.index({ stripeEventId: 1, firstAt: 1 });
// Retention: records not handled again for longer than HANDLED_RETENTION_DAYS.
handledSchema.index({ lastAt: 1 });

/** At most this many records per Stripe event in an answer (a chain has a handful). */
const MAX_PER_EVENT = 500;

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
    const { consumer, messageId } = entry;
    await this.model.updateOne(
      { _id: `${consumer}:${messageId}` },
      {
        $set: {
          subject: entry.subject,
          stripeEventId: entry.stripeEventId,
          outcome: entry.outcome,
          reason: entry.reason,
          deliveryCount: entry.deliveryCount,
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
    return docs.map(({ _id, ...record }) => record);
  }

  /** Records not handled again for `keepMs` are deleted. */
  retentionRule(keepMs: number): RetentionRule {
    return { name: 'handled-message log', model: this.model, field: 'lastAt', keepMs };
  }
}
