import { Schema, Types, type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError } from './errors';
import type { ParkedMessage } from './runner';

export interface ParkedRecord extends ParkedMessage {
  id: string;
  parkedAt: Date;
  replayedAt: Date | null;
  replayResult: string | null;
}

interface ParkedDoc extends ParkedMessage {
  _id: Types.ObjectId;
  parkedAt: Date;
  replayedAt: Date | null;
  replayResult: string | null;
}

const parkedSchema = new Schema<ParkedDoc>(
  {
    consumer: { type: String, required: true },
    subject: { type: String, required: true },
    messageId: { type: String, default: null },
    streamSequence: { type: Number, required: true },
    data: { type: String, required: true },
    reason: { type: String, required: true },
    deliveryCount: { type: Number, required: true },
    parkedAt: { type: Date, required: true },
    replayedAt: { type: Date, default: null },
    replayResult: { type: String, default: null },
  },
  { collection: 'parked_messages', versionKey: false },
);
// A stream message is parked once per consumer, even if parking itself is retried.
parkedSchema.index({ consumer: 1, streamSequence: 1 }, { unique: true });
// Serves the operator's list, newest first.
parkedSchema.index({ parkedAt: -1 });
// Serves the list of those not replayed yet (`replayedAt: null`), newest first.
parkedSchema.index({ replayedAt: 1, parkedAt: -1 });

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

  async park(message: ParkedMessage): Promise<void> {
    try {
      await this.model.create({ ...message, parkedAt: new Date(), replayedAt: null, replayResult: null });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async list(filter: { pendingOnly?: boolean; limit?: number } = {}): Promise<ParkedRecord[]> {
    const query = filter.pendingOnly ? { replayedAt: null } : {};
    const docs = await this.model
      .find(query)
      .sort({ parkedAt: -1 })
      .limit(filter.limit ?? 100)
      .lean<ParkedDoc[]>();
    return docs.map(toRecord);
  }

  async get(id: string): Promise<ParkedRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const doc = await this.model.findById(id).lean<ParkedDoc>();
    return doc ? toRecord(doc) : null;
  }

  async markReplayed(id: string, result: string): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: { replayedAt: new Date(), replayResult: result } });
  }
}
