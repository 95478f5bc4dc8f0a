import { Schema, type Connection, type Model } from 'mongoose';

export type MessageStatus = 'pending' | 'delivered' | 'failed';

/** One outbound event for one endpoint: the body we sign and POST until the endpoint takes it. */
export interface WebhookMessageDoc {
  /** `whmsg_...`, derived from (eventId, endpointId). */
  _id: string;
  /** The body's `id` and the `webhook-id` header: the same for every endpoint and attempt. */
  eventId: string;
  event: string;
  endpointId: string;
  /** The exact JSON body, so every attempt (and replay) sends the same bytes. */
  body: string;
  createdAt: Date;
  status: MessageStatus;
  /** Attempts made so far; attempt n is claimed by inserting (messageId, n) into delivery_attempts. */
  attemptCount: number;
  /** attemptCount when the current retry schedule started (0, or the count at the last replay). */
  scheduleStart: number;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

const schema = new Schema<WebhookMessageDoc>(
  {
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    event: { type: String, required: true },
    endpointId: { type: String, required: true },
    body: { type: String, required: true },
    createdAt: { type: Date, required: true },
    status: { type: String, required: true, enum: ['pending', 'delivered', 'failed'] },
    attemptCount: { type: Number, required: true },
    scheduleStart: { type: Number, required: true },
    nextAttemptAt: { type: Date, default: null },
    lastAttemptAt: { type: Date, default: null },
    lastStatusCode: { type: Number, default: null },
    lastError: { type: String, default: null },
    deliveredAt: { type: Date, default: null },
  },
  { collection: 'webhook_messages', versionKey: false },
);
// One message per (event, endpoint): a redelivered domain event inserts nothing new (E11000).
schema.index({ eventId: 1, endpointId: 1 }, { unique: true });
// Serves the delivery worker's scan: "pending messages due by now, oldest due first".
schema.index({ status: 1, nextAttemptAt: 1 });
// Serves the operator's list per endpoint (newest first) and "replay everything since T".
schema.index({ endpointId: 1, createdAt: -1 });

export function webhookMessageModel(conn: Connection): Model<WebhookMessageDoc> {
  return conn.models.WebhookMessage ?? conn.model<WebhookMessageDoc>('WebhookMessage', schema);
}
