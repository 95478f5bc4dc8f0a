import { Schema, type Connection, type Model } from 'mongoose';
import type { EventEnvelopeV1 } from '@billing/contracts';
import { isDuplicateKeyError } from './errors';
import { toEnvelopes, type EventEmitter, type OutboxEvent } from './events';
import type { Logger } from './logger';
import type { EnvelopePublisher } from './publisher';
import { traceHeaders } from './tracing';

interface OutboxDoc {
  _id: string;
  envelope: EventEnvelopeV1;
  createdAt: Date;
  attempts: number;
  lastError: string | null;
  /** When the relay may try it (again): a row that failed waits longer after each failure. */
  nextAttemptAt: Date;
  /** The trace context it was emitted in (`traceparent`), so a later publish joins that trace. */
  traceContext?: Record<string, string>;
}

const outboxSchema = new Schema<OutboxDoc>(
  {
    _id: { type: String, required: true },
    envelope: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null },
    nextAttemptAt: { type: Date, required: true },
    traceContext: { type: Schema.Types.Mixed, default: undefined },
  },
  { collection: 'outbox', versionKey: false, minimize: false },
);
// Serves the relay's "due, oldest first" read. Rows leave the collection once published, so the
// relay only ever reads what is still to be published.
outboxSchema.index({ nextAttemptAt: 1 });
// Serves the metrics read at scrape time (see backlog): the count of unpublished rows and the
// oldest of them.
outboxSchema.index({ createdAt: 1 });

/** The relay's wait before trying a failed row again: 1 s, doubling, at most 5 minutes. */
function relayBackoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.min(attempts - 1, 20), 5 * 60 * 1000);
}

/**
 * For events that no message drives (an operator's request, the webhook delivery worker): they
 * are first stored here under their deterministic id, then published, then the row is deleted.
 * A crash or a NATS outage in between leaves the row, and the relay publishes it later; the id
 * makes a second publish a duplicate that JetStream drops. No multi-document transaction is needed.
 * Each row is retried on its own schedule, so one that keeps failing holds up no other; one that
 * could never be published (too large) is refused by `emit` before it is stored.
 * Message handlers publish directly instead (see {@link DirectEmitter}).
 */
export class Outbox implements EventEmitter {
  private readonly model: Model<OutboxDoc>;
  private timer: NodeJS.Timeout | undefined;
  private relaying: Promise<void> | undefined;

  constructor(
    conn: Connection,
    private readonly publisher: EnvelopePublisher,
    private readonly logger: Logger,
  ) {
    this.model = conn.models.OutboxMessage ?? conn.model<OutboxDoc>('OutboxMessage', outboxSchema);
  }

  /** Validates, stores, then publishes events; throws if publishing fails (the relay retries). */
  async emit(events: readonly OutboxEvent[]): Promise<void> {
    const envelopes = toEnvelopes(events);
    for (const envelope of envelopes) this.publisher.check(envelope);
    const now = new Date();
    const traceContext = traceHeaders();
    await this.model
      .insertMany(
        envelopes.map((envelope) => ({
          _id: envelope.id,
          envelope,
          createdAt: now,
          attempts: 0,
          lastError: null,
          nextAttemptAt: now,
          traceContext,
        })),
        { ordered: false, lean: true },
      )
      .catch((err) => {
        // Stored already by an earlier attempt: publish again all the same.
        if (!isDuplicateKeyError(err)) throw err;
      });
    for (const envelope of envelopes) await this.publishRow(envelope, 0, traceContext);
  }

  private async publishRow(
    envelope: EventEnvelopeV1,
    attempts: number,
    traceContext: Record<string, string> = {},
  ): Promise<void> {
    try {
      await this.publisher.publish(envelope, traceContext);
    } catch (err) {
      const now = Date.now();
      await this.model
        .updateOne(
          { _id: envelope.id },
          {
            $set: {
              attempts: attempts + 1,
              lastError: (err as Error).message,
              nextAttemptAt: new Date(now + relayBackoffMs(attempts + 1)),
            },
          },
        )
        .catch(() => undefined);
      throw err;
    }
    await this.model.deleteOne({ _id: envelope.id });
  }

  /**
   * Publishes the rows that are due, oldest due first, each on its own: a row that fails waits
   * for its next attempt and the others go on. Returns how many were published.
   */
  async relayOnce(batchSize = 100, now = new Date()): Promise<number> {
    const due = await this.model
      .find({ nextAttemptAt: { $lte: now } })
      .sort({ nextAttemptAt: 1 })
      .limit(batchSize)
      .lean<OutboxDoc[]>();
    let published = 0;
    for (const doc of due) {
      try {
        await this.publishRow(doc.envelope, doc.attempts, doc.traceContext);
        published += 1;
      } catch (err) {
        this.logger.warn(
          { err, eventId: doc._id, attempts: doc.attempts + 1 },
          'outbox relay publish failed',
        );
      }
    }
    return published;
  }

  async pendingCount(): Promise<number> {
    return this.model.countDocuments();
  }

  /** The unpublished rows and the oldest one's creation, for the metrics; both read an index. */
  async backlog(): Promise<{ count: number; oldestCreatedAt: Date | null }> {
    const [count, oldest] = await Promise.all([
      // Every row: the range on createdAt lets the count read the index instead of the rows.
      this.model.countDocuments({ createdAt: { $gte: new Date(0) } }),
      this.model.findOne({}, { createdAt: 1 }).sort({ createdAt: 1 }).lean<Pick<OutboxDoc, 'createdAt'>>(),
    ]);
    return { count, oldestCreatedAt: oldest?.createdAt ?? null };
  }

  startRelay(intervalMs = 5000): void {
    this.timer = setInterval(() => {
      if (this.relaying) return;
      this.relaying = this.relayOnce()
        .then((n) => {
          if (n > 0) this.logger.info({ published: n }, 'outbox relay published');
        })
        .catch((err) => this.logger.warn({ err }, 'outbox relay failed'))
        .finally(() => (this.relaying = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stopRelay(): Promise<void> {
    clearInterval(this.timer);
    await this.relaying;
  }
}
