import { Types, type Connection, type Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import { deliveryAttemptModel, type DeliveryAttemptDoc } from './delivery-attempt.model';

export interface AttemptResult {
  status: 'succeeded' | 'failed';
  statusCode: number | null;
  durationMs: number;
  responseSnippet: string | null;
  error: string | null;
  finishedAt: Date;
}

export class DeliveryAttemptRepository {
  private readonly model: Model<DeliveryAttemptDoc>;

  constructor(conn: Connection) {
    this.model = deliveryAttemptModel(conn);
  }

  /** Claims attempt n of a message; null when another worker holds (or held) it. */
  async claim(input: {
    messageId: string;
    endpointId: string;
    attemptNumber: number;
    worker: string;
    url: string;
    now: Date;
  }): Promise<Types.ObjectId | null> {
    const doc: DeliveryAttemptDoc = {
      _id: new Types.ObjectId(),
      messageId: input.messageId,
      endpointId: input.endpointId,
      attemptNumber: input.attemptNumber,
      worker: input.worker,
      status: 'in_flight',
      url: input.url,
      statusCode: null,
      durationMs: null,
      responseSnippet: null,
      error: null,
      startedAt: input.now,
      finishedAt: null,
    };
    return (await insertOnce(this.model, doc)) ? doc._id : null;
  }

  find(messageId: string, attemptNumber: number): Promise<DeliveryAttemptDoc | null> {
    return this.model.findOne({ messageId, attemptNumber }).lean<DeliveryAttemptDoc>();
  }

  async complete(id: Types.ObjectId, result: AttemptResult): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: result });
  }

  /** Marks an in-flight attempt whose worker vanished; its outcome is unknown. */
  async abandon(id: Types.ObjectId, now: Date): Promise<void> {
    await this.model.updateOne(
      { _id: id, status: 'in_flight' },
      { $set: { status: 'abandoned', error: 'worker stopped before recording a result', finishedAt: now } },
    );
  }

  listForMessage(messageId: string): Promise<DeliveryAttemptDoc[]> {
    return this.model.find({ messageId }).sort({ attemptNumber: 1 }).lean<DeliveryAttemptDoc[]>();
  }

  async deleteByEndpoint(endpointId: string): Promise<void> {
    await this.model.deleteMany({ endpointId });
  }
}
