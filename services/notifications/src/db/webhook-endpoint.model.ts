import { Schema, type Connection, type Model } from 'mongoose';

export interface EndpointSecret {
  /** `whsec_` + base64 of 32 random bytes. Stored as is: signing needs it. */
  secret: string;
  createdAt: Date;
  /** Null for the current secret; set on a rotated-out secret to the end of its grace period. */
  expiresAt: Date | null;
}

export type EndpointStatus = 'enabled' | 'disabled';

/** A receiver an operator registered for outbound webhooks. */
export interface WebhookEndpointDoc {
  /** `ep_...` */
  _id: string;
  url: string;
  /** Outbound event names, or `['*']` for all. */
  events: string[];
  description: string;
  status: EndpointStatus;
  /** `manual` (an operator) or `failing` (deliveries failed for too long). */
  disabledReason: 'manual' | 'failing' | null;
  disabledAt: Date | null;
  /** Newest first; every one not expired signs each delivery. */
  secrets: EndpointSecret[];
  /** First failed attempt since the last successful one; null while healthy. */
  failingSince: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const secretSchema = new Schema<EndpointSecret>(
  {
    secret: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, default: null },
  },
  { _id: false },
);

const schema = new Schema<WebhookEndpointDoc>(
  {
    _id: { type: String, required: true },
    url: { type: String, required: true },
    events: { type: [String], required: true },
    description: { type: String, default: '' },
    status: { type: String, required: true, enum: ['enabled', 'disabled'] },
    disabledReason: { type: String, default: null },
    disabledAt: { type: Date, default: null },
    secrets: { type: [secretSchema], required: true },
    failingSince: { type: Date, default: null },
    lastError: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'webhook_endpoints', versionKey: false },
);
// Serves the fan-out: "endpoints subscribed to event X or to *" (multikey on the names).
schema.index({ events: 1 });
// Serves the operator's list, oldest first.
schema.index({ createdAt: 1 });

export function webhookEndpointModel(conn: Connection): Model<WebhookEndpointDoc> {
  return conn.models.WebhookEndpoint ?? conn.model<WebhookEndpointDoc>('WebhookEndpoint', schema);
}
