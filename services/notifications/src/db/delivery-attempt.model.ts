import { Schema, type Connection, type Model, type Types } from 'mongoose';

export type AttemptStatus = 'in_flight' | 'succeeded' | 'failed' | 'abandoned';

/**
 * One delivery attempt. Inserting it is the lease on the attempt: the unique (messageId,
 * attemptNumber) index lets exactly one worker of any replica make attempt n, without relying on
 * an atomic update (FerretDB's are read-modify-write).
 */
export interface DeliveryAttemptDoc {
  _id: Types.ObjectId;
  messageId: string;
  endpointId: string;
  attemptNumber: number;
  /** Which process claimed it (host:pid:random). */
  worker: string;
  status: AttemptStatus;
  url: string;
  statusCode: number | null;
  durationMs: number | null;
  /** The start of the response body, capped. */
  responseSnippet: string | null;
  /** Network error, timeout, refusal of the destination, or the non-2xx status in words. */
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

const schema = new Schema<DeliveryAttemptDoc>(
  {
    messageId: { type: String, required: true },
    endpointId: { type: String, required: true },
    attemptNumber: { type: Number, required: true },
    worker: { type: String, required: true },
    status: { type: String, required: true, enum: ['in_flight', 'succeeded', 'failed', 'abandoned'] },
    url: { type: String, required: true },
    statusCode: { type: Number, default: null },
    durationMs: { type: Number, default: null },
    responseSnippet: { type: String, default: null },
    error: { type: String, default: null },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
  },
  { collection: 'delivery_attempts', versionKey: false },
);
// The lease: attempt n of a message is claimed once. Also serves "attempts of message X in order".
schema.index({ messageId: 1, attemptNumber: 1 }, { unique: true });
// Serves deleting an endpoint's history with the endpoint.
schema.index({ endpointId: 1 });
// Retention: attempts older than WEBHOOK_RETENTION_DAYS.
schema.index({ startedAt: 1 });

export function deliveryAttemptModel(conn: Connection): Model<DeliveryAttemptDoc> {
  return conn.models.DeliveryAttempt ?? conn.model<DeliveryAttemptDoc>('DeliveryAttempt', schema);
}
