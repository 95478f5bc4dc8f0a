import { Schema, Types, type Connection, type Model } from 'mongoose';
import type { RetentionRule } from './retention';
import { insertOnce } from './mongo';
import type { ParkKind, ParkedMessage } from './runner';

export interface ParkedRecord extends ParkedMessage {
  id: string;
  parkedAt: Date;
  replayedAt: Date | null;
  replayResult: string | null;
  /** Replays made without an operator so far (only `exhausted` messages get them). */
  autoReplays: number;
  /** When the next one is due; null when none is planned. */
  nextAutoReplayAt: Date | null;
}

interface ParkedDoc extends Omit<ParkedRecord, 'id'> {
  _id: Types.ObjectId;
}

const parkedSchema = new Schema<ParkedDoc>(
  {
    consumer: { type: String, required: true },
    subject: { type: String, required: true },
    messageId: { type: String, default: null },
    streamSequence: { type: Number, required: true },
    storedAt: { type: Date, required: true },
    data: { type: String, required: true },
    // Absent on messages parked before headers were kept, and on messages without any.
    headers: { type: Object, default: undefined },
    kind: { type: String, required: true },
    reason: { type: String, required: true },
    deliveryCount: { type: Number, required: true },
    parkedAt: { type: Date, required: true },
    replayedAt: { type: Date, default: null },
    replayResult: { type: String, default: null },
    autoReplays: { type: Number, default: 0 },
    nextAutoReplayAt: { type: Date, default: null },
  },
  { collection: 'parked_messages', versionKey: false },
);
// A stream message is parked once per consumer, even if parking itself is retried. The stored
// time tells apart two messages of one sequence number when the stream was created again.
parkedSchema.index({ consumer: 1, streamSequence: 1, storedAt: 1 }, { unique: true });
// The operator's list, newest first: all, or those not replayed yet (`replayedAt: null`).
parkedSchema.index({ parkedAt: -1 });
parkedSchema.index({ replayedAt: 1, parkedAt: -1 });
// The same, for one consumer or one kind (and a time range); also bulk replays.
parkedSchema.index({ consumer: 1, parkedAt: -1 });
parkedSchema.index({ kind: 1, parkedAt: -1 });
parkedSchema.index({ replayedAt: 1, consumer: 1, parkedAt: -1 });
parkedSchema.index({ replayedAt: 1, kind: 1, parkedAt: -1 });
// Replays made without an operator: the due ones.
parkedSchema.index({ nextAutoReplayAt: 1 });

/** Which parked messages: all filters optional. */
export interface ParkedFilter {
  pendingOnly?: boolean;
  consumer?: string;
  kind?: ParkKind;
  /** Parked at or after. */
  since?: Date;
  /** Parked before. */
  until?: Date;
  limit?: number;
}

export interface ParkedSummaryRow {
  consumer: string;
  kind: ParkKind;
  count: number;
  oldestParkedAt: Date;
}

/** The first replay without an operator, then each one this much later than the last. */
const FIRST_AUTO_REPLAY_MS = 60 * 60 * 1000;
const MAX_AUTO_REPLAY_GAP_MS = 24 * 60 * 60 * 1000;
/** After this many, the message waits for an operator. */
export const MAX_AUTO_REPLAYS = 10;

function toRecord(doc: ParkedDoc): ParkedRecord {
  const { _id, ...rest } = doc;
  return { id: _id.toHexString(), ...rest };
}

/** Messages a consumer gave up on, kept for an operator to inspect and replay. */
export class ParkedStore {
  private readonly model: Model<ParkedDoc>;

  constructor(conn: Connection) {
    this.model = conn.models.ParkedMessage ?? conn.model<ParkedDoc>('ParkedMessage', parkedSchema);
  }

  /**
   * Stores a message once. One that failed for a passing reason all through its retry period
   * (`exhausted`) gets replays without an operator, an hour later and then less and less often.
   */
  async park(message: ParkedMessage, now = new Date()): Promise<void> {
    await insertOnce(this.model, {
      _id: new Types.ObjectId(),
      ...message,
      parkedAt: now,
      replayedAt: null,
      replayResult: null,
      autoReplays: 0,
      nextAutoReplayAt: message.kind === 'exhausted' ? new Date(now.getTime() + FIRST_AUTO_REPLAY_MS) : null,
    });
  }

  /**
   * Messages replayed (applied or skipped) are deleted `keepMs` after their replay. Messages never
   * replayed are kept: each is an effect not yet had, waiting for an operator.
   */
  retentionRule(keepMs: number): RetentionRule {
    return { name: 'replayed parked messages', model: this.model, field: 'replayedAt', keepMs };
  }

  /** Newest first. */
  async list(filter: ParkedFilter = {}): Promise<ParkedRecord[]> {
    const docs = await this.model
      .find(queryOf(filter))
      .sort({ parkedAt: -1 })
      .limit(filter.limit ?? 100)
      .lean<ParkedDoc[]>();
    return docs.map(toRecord);
  }

  /** How many messages of one consumer are not replayed yet (a count on an index, for the metrics). */
  async pendingCount(consumer: string): Promise<number> {
    // Served by { replayedAt: 1, consumer: 1, parkedAt: -1 }.
    return this.model.countDocuments({ replayedAt: null, consumer });
  }

  /** Messages not replayed yet, counted by consumer and kind, with the oldest of each. */
  async summary(): Promise<ParkedSummaryRow[]> {
    const rows = await this.model.aggregate<{
      _id: { consumer: string; kind: ParkKind };
      count: number;
      oldest: Date;
    }>([
      { $match: { replayedAt: null } },
      {
        $group: {
          _id: { consumer: '$consumer', kind: '$kind' },
          count: { $sum: 1 },
          oldest: { $min: '$parkedAt' },
        },
      },
    ]);
    return rows
      .map((r) => ({ consumer: r._id.consumer, kind: r._id.kind, count: r.count, oldestParkedAt: r.oldest }))
      .sort((a, b) => a.consumer.localeCompare(b.consumer) || a.kind.localeCompare(b.kind));
  }

  async get(id: string): Promise<ParkedRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const doc = await this.model.findOne({ _id: new Types.ObjectId(id) }).lean<ParkedDoc>();
    return doc ? toRecord(doc) : null;
  }

  async markReplayed(id: string, result: string, now = new Date()): Promise<void> {
    await this.model.updateOne(
      { _id: new Types.ObjectId(id) },
      { $set: { replayedAt: now, replayResult: result, nextAutoReplayAt: null } },
    );
  }

  /** `exhausted` messages whose next replay without an operator is due. */
  async dueForAutoReplay(now: Date, limit: number): Promise<ParkedRecord[]> {
    const docs = await this.model
      .find({ nextAutoReplayAt: { $lte: now } })
      .sort({ nextAutoReplayAt: 1 })
      .limit(limit)
      .lean<ParkedDoc[]>();
    return docs.map(toRecord);
  }

  /**
   * Takes the due auto replay of a message for this process: moves its next one on, naming the
   * time it read (a compare-and-set), so that of several replicas exactly one replays it now.
   * False when another one took it first.
   */
  async claimAutoReplay(record: ParkedRecord, now: Date): Promise<boolean> {
    const done = record.autoReplays + 1;
    const gap = Math.min(FIRST_AUTO_REPLAY_MS * 2 ** done, MAX_AUTO_REPLAY_GAP_MS);
    const next = done >= MAX_AUTO_REPLAYS ? null : new Date(now.getTime() + gap);
    const result = await this.model.updateOne(
      { _id: new Types.ObjectId(record.id), nextAutoReplayAt: record.nextAutoReplayAt },
      { $set: { nextAutoReplayAt: next, autoReplays: done } },
    );
    return result.modifiedCount === 1;
  }
}

function queryOf(filter: ParkedFilter): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  if (filter.pendingOnly) query.replayedAt = null;
  if (filter.consumer) query.consumer = filter.consumer;
  if (filter.kind) query.kind = filter.kind;
  if (filter.since || filter.until) {
    query.parkedAt = {
      ...(filter.since && { $gte: filter.since }),
      ...(filter.until && { $lt: filter.until }),
    };
  }
  return query;
}
