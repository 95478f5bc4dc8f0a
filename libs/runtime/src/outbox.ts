import { Schema, type Connection, type Model } from 'mongoose';
import type { Static, TSchema } from '@sinclair/typebox';
import type { EnvelopeInput, EventDefinition, EventEnvelopeV1 } from '@billing/contracts';
import { isDuplicateKeyError } from './errors';
import { toEnvelopes, type EventEmitter, type EventItem } from './events';
import type { Logger } from './logger';
import type { EnvelopePublisher } from './publisher';

interface OutboxDoc {
  _id: string;
  envelope: EventEnvelopeV1;
  createdAt: Date;
  attempts: number;
  lastError: string | null;
}

const outboxSchema = new Schema<OutboxDoc>(
  {
    _id: { type: String, required: true },
    envelope: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null },
  },
  { collection: 'outbox', versionKey: false, minimize: false },
);
// Serves the relay's "oldest first" read. Rows leave the collection once published, so the
// relay only ever reads what is still to be published.
outboxSchema.index({ createdAt: 1 });

/**
 * For events that no message drives (an operator's request, the webhook delivery worker): they
 * are first stored here under their deterministic id, then published, then the row is deleted.
 * A crash or a NATS outage in between leaves the row, and the relay publishes it later; the id
 * makes a second publish a duplicate that JetStream drops. No multi-document transaction is needed.
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
  async emit<S extends TSchema>(items: ReadonlyArray<EventItem<S>>): Promise<void> {
    const envelopes = toEnvelopes(items);
    const now = new Date();
    await this.model
      .insertMany(
        envelopes.map((envelope) => ({
          _id: envelope.id,
          envelope,
          createdAt: now,
          attempts: 0,
          lastError: null,
        })),
        { ordered: false, lean: true },
      )
      .catch((err) => {
        // Stored already by an earlier attempt: publish again all the same.
        if (!isDuplicateKeyError(err)) throw err;
      });
    for (const envelope of envelopes) await this.publishRow(envelope);
  }

  /** One event; shorthand for `emit([{definition, input}])`. */
  async emitOne<S extends TSchema>(
    definition: EventDefinition<S>,
    input: EnvelopeInput<Static<S>>,
  ): Promise<void> {
    await this.emit([{ definition, input }]);
  }

  private async publishRow(envelope: EventEnvelopeV1): Promise<void> {
    try {
      await this.publisher.publish(envelope);
    } catch (err) {
      await this.model
        .updateOne(
          { _id: envelope.id },
          { $inc: { attempts: 1 }, $set: { lastError: (err as Error).message } },
        )
        .catch(() => undefined);
      throw err;
    }
    await this.model.deleteOne({ _id: envelope.id });
  }

  /** Publishes what is left unpublished, oldest first; returns how many were published. */
  async relayOnce(batchSize = 100): Promise<number> {
    const pending = await this.model.find().sort({ createdAt: 1 }).limit(batchSize).lean<OutboxDoc[]>();
    let published = 0;
    for (const doc of pending) {
      try {
        await this.publishRow(doc.envelope);
        published += 1;
      } catch (err) {
        this.logger.warn({ err, eventId: doc._id }, 'outbox relay publish failed');
        break;
      }
    }
    return published;
  }

  async pendingCount(): Promise<number> {
    return this.model.countDocuments();
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
