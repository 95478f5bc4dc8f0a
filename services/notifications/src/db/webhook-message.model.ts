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
  /** The exact JSON body, so every attempt (and replay) sends the same bytes (until an erasure redacts it). */
  body: string;
  /**
   * `data.customerEmail` of the body, trimmed and lower-cased, so an erasure finds the customer's
   * messages; null when the event names none (and on messages stored before it was recorded).
   */
  customerEmail?: string | null;
  /** `data.account` of the body: the Stripe account label (absent: the default account). */
  account?: string;
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
  /** The trace context of the event it was made for, so each attempt joins that trace. */
  traceContext?: Record<string, string>;
}

const schema = new Schema<WebhookMessageDoc>(
  {
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    event: { type: String, required: true },
    endpointId: { type: String, required: true },
    body: { type: String, required: true },
    customerEmail: { type: String, default: null },
    account: { type: String },
    createdAt: { type: Date, required: true },
    status: { type: String, required: true, enum: ['pending', 'delivered', 'failed'] },
    attemptCount: { type: Number, required: true },
    scheduleStart: { type: Number, required: true },
    nextAttemptAt: { type: Date, default: null },
    lastAttemptAt: { type: Date, default: null },
    lastStatusCode: { type: Number, default: null },
    lastError: { type: String, default: null },
    deliveredAt: { type: Date, default: null },
    traceContext: { type: Schema.Types.Mixed, default: undefined },
  },
  { collection: 'webhook_messages', versionKey: false },
);
// One message per (event, endpoint): a redelivered domain event inserts nothing new (E11000).
schema.index({ eventId: 1, endpointId: 1 }, { unique: true });
// Serves the delivery worker's scan: "pending messages due by now, oldest due first".
schema.index({ status: 1, nextAttemptAt: 1 });
// Serves erasure: "the messages that name this customer" (orders.customer.erased).
schema.index({ customerEmail: 1 });
// Serves the operator's list per endpoint (newest first) and "replay everything since T".
schema.index({ endpointId: 1, createdAt: -1 });
// Retention: finished messages older than WEBHOOK_RETENTION_DAYS.
schema.index({ status: 1, createdAt: 1 });

export function webhookMessageModel(conn: Connection): Model<WebhookMessageDoc> {
  return conn.models.WebhookMessage ?? conn.model<WebhookMessageDoc>('WebhookMessage', schema);
}
