import { Schema, type Connection, type Model } from 'mongoose';
import type { Static, TSchema } from '@sinclair/typebox';
import {
  makeEnvelope,
  type EnvelopeInput,
  type EventDefinition,
  type EventEnvelopeV1,
} from '@billing/contracts';
import { PermanentError, isDuplicateKeyError } from './errors';
import type { Logger } from './logger';
import type { EnvelopePublisher } from './publisher';

interface OutboxDoc {
  _id: string;
  envelope: EventEnvelopeV1;
  createdAt: Date;
  publishedAt: Date | null;
  attempts: number;
  lastError: string | null;
}

const outboxSchema = new Schema<OutboxDoc>(
  {
    _id: { type: String, required: true },
    envelope: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    publishedAt: { type: Date, default: null },
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null },
  },
  { collection: 'outbox', versionKey: false, minimize: false },
);
// Serves the relay's "oldest unpublished first" scan.
outboxSchema.index({ publishedAt: 1, createdAt: 1 });

/**
 * Domain events are first stored here under their deterministic id, then published. A crash
 * between storing state and publishing leaves an unpublished row that the relay (or the
 * redelivered Stripe event, which stores the same id again) publishes later; the id makes the
 * second publish a duplicate JetStream drops. No multi-document transaction is needed.
 */
export class Outbox {
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

  /** Validates, stores (once) and publishes events; throws if publishing fails (the caller retries). */
  async emit<S extends TSchema>(
    items: ReadonlyArray<{ definition: EventDefinition<S>; input: EnvelopeInput<Static<S>> }>,
  ): Promise<void> {
    const envelopes = items.map(({ definition, input }) => {
      if (!definition.validator.check(input.payload)) {
        // Our own code built it wrong: retrying cannot help, so the message is parked at once.
        throw new PermanentError(
          `${definition.subject} payload invalid: ${definition.validator.explain(input.payload)}`,
        );
      }
      return makeEnvelope(definition, input) as EventEnvelopeV1;
    });
    for (const envelope of envelopes) await this.store(envelope);
    await this.publishIds(envelopes.map((e) => e.id));
  }

  /** One event; shorthand for `emit([{definition, input}])`. */
  async emitOne<S extends TSchema>(
    definition: EventDefinition<S>,
    input: EnvelopeInput<Static<S>>,
  ): Promise<void> {
    await this.emit([{ definition, input }]);
  }

  private async store(envelope: EventEnvelopeV1): Promise<void> {
    try {
      await this.model.create({ _id: envelope.id, envelope, createdAt: new Date(), publishedAt: null });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  private async publishIds(ids: string[]): Promise<void> {
    // One lookup per id: the embedded store uses the _id index for equality only.
    for (const id of ids) {
      const doc = await this.model.findById(id).lean();
      if (doc && doc.publishedAt === null) await this.publishDoc(doc);
    }
  }

  private async publishDoc(doc: OutboxDoc): Promise<void> {
    try {
      await this.publisher.publish(doc.envelope);
    } catch (err) {
      await this.model
        .updateOne({ _id: doc._id }, { $inc: { attempts: 1 }, $set: { lastError: (err as Error).message } })
        .catch(() => undefined);
      throw err;
    }
    await this.model.updateOne({ _id: doc._id }, { $set: { publishedAt: new Date(), lastError: null } });
  }

  /**
   * Forgets events published longer ago than `retentionMs` (no TTL indexes on the embedded
   * store). Until then, storing the same event again is a no-op; after, a very late redelivery
   * republishes it, which the consumers' own unique keys absorb.
   */
  async prunePublished(retentionMs: number): Promise<number> {
    const result = await this.model.deleteMany({ publishedAt: { $lt: new Date(Date.now() - retentionMs) } });
    return result.deletedCount;
  }

  /** Publishes everything left unpublished, oldest first. */
  async relayOnce(batchSize = 100): Promise<number> {
    const pending = await this.model
      .find({ publishedAt: null })
      .sort({ createdAt: 1 })
      .limit(batchSize)
      .lean();
    let published = 0;
    for (const doc of pending) {
      try {
        await this.publishDoc(doc);
        published += 1;
      } catch (err) {
        this.logger.warn({ err, eventId: doc._id }, 'outbox relay publish failed');
        break;
      }
    }
    return published;
  }

  async pendingCount(): Promise<number> {
    return this.model.countDocuments({ publishedAt: null });
  }

  startRelay(intervalMs = 5000, retentionMs = 7 * 24 * 60 * 60 * 1000): void {
    let runs = 0;
    this.timer = setInterval(() => {
      if (this.relaying) return;
      // Pruning scans the collection: do it about once every 100 relay runs.
      const prune = runs++ % 100 === 0;
      this.relaying = this.relayOnce()
        .then(async (n) => {
          if (n > 0) this.logger.info({ published: n }, 'outbox relay published');
          if (prune) await this.prunePublished(retentionMs);
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
