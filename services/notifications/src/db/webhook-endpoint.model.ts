import { Schema, type Connection, type Model } from 'mongoose';

/*
 * An endpoint is three kinds of documents, each with its own writers, so that no write can undo
 * another on a store that applies an update by reading and rewriting the whole document:
 * - `webhook_endpoints`: what operators set (URL, events, enabled or disabled);
 * - `webhook_endpoint_secrets`: one document per secret, only ever inserted (a rotation);
 * - `webhook_endpoint_health`: what the delivery worker learns (failure streak, disabled for failing).
 * {@link WebhookEndpoint} is the three put together.
 */

export type EndpointStatus = 'enabled' | 'disabled';

/** What operators set; only the API writes it. */
export interface WebhookEndpointDoc {
  /** `ep_...` */
  _id: string;
  url: string;
  /** Outbound event names, or `['*']` for all. */
  events: string[];
  description: string;
  /** The operator's choice; an enabled endpoint may still be disabled for failing (health). */
  status: EndpointStatus;
  /** When an operator disabled it. */
  disabledAt: Date | null;
  /** When it was created or last enabled: failures and automatic disabling before count no more. */
  enabledAt: Date;
  /** Secrets stored in the endpoint by releases before secrets had documents of their own. */
  secrets?: EndpointSecret[];
  createdAt: Date;
  updatedAt: Date;
}

/** A signing secret as an endpoint shows it. */
export interface EndpointSecret {
  /**
   * `whsec_` + base64 of 32 random bytes, as stored: `enc:v1:...` (SecretBox, the endpoint id as
   * associated data), or plaintext when stored without SECRETS_ENCRYPTION_KEYS or by an older
   * release. Opened only to sign a delivery.
   */
  secret: string;
  createdAt: Date;
  /** Null for the current secret; for an older one the end of its grace period. */
  expiresAt: Date | null;
}

/** One secret, inserted when the endpoint is created and on each rotation; never changed. */
export interface EndpointSecretDoc {
  _id: string;
  endpointId: string;
  /** `enc:v1:...` (see EndpointSecret.secret); never changed, so rotating keys means rotating secrets. */
  secret: string;
  createdAt: Date;
  /** How long the secrets before this one keep signing after it was made. */
  graceMs: number;
}

/** What the delivery worker learns; only the worker writes it. */
export interface EndpointHealthDoc {
  /** The endpoint id. */
  _id: string;
  /** First failed attempt since the last successful one; null while healthy. */
  failingSince: Date | null;
  lastError: string | null;
  /** When the worker disabled it for failing too long. */
  disabledAt: Date | null;
}

/** An endpoint with its secrets and health: what the fan-out, the worker and the API use. */
export interface WebhookEndpoint {
  _id: string;
  url: string;
  events: string[];
  description: string;
  /** Disabled by an operator, or for failing since it was last enabled. */
  status: EndpointStatus;
  disabledReason: 'manual' | 'failing' | null;
  disabledAt: Date | null;
  enabledAt: Date;
  /** Newest first; every one not expired signs each delivery. */
  secrets: EndpointSecret[];
  failingSince: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const legacySecretSchema = new Schema<EndpointSecret>(
  {
    secret: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, default: null },
  },
  { _id: false },
);

const endpointSchema = new Schema<WebhookEndpointDoc>(
  {
    _id: { type: String, required: true },
    url: { type: String, required: true },
    events: { type: [String], required: true },
    description: { type: String, default: '' },
    status: { type: String, required: true, enum: ['enabled', 'disabled'] },
    disabledAt: { type: Date, default: null },
    enabledAt: { type: Date, required: true },
    secrets: { type: [legacySecretSchema], default: undefined },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'webhook_endpoints', versionKey: false },
);
// Serves the operator's list, oldest first (the whole list is also what every replica holds).
endpointSchema.index({ createdAt: 1 });

const secretSchema = new Schema<EndpointSecretDoc>(
  {
    _id: { type: String, required: true },
    endpointId: { type: String, required: true },
    secret: { type: String, required: true },
    createdAt: { type: Date, required: true },
    graceMs: { type: Number, required: true },
  },
  { collection: 'webhook_endpoint_secrets', versionKey: false },
);
// Serves "the secrets of this endpoint, in the order they were made".
secretSchema.index({ endpointId: 1, createdAt: 1 });

const healthSchema = new Schema<EndpointHealthDoc>(
  {
    _id: { type: String, required: true },
    failingSince: { type: Date, default: null },
    lastError: { type: String, default: null },
    disabledAt: { type: Date, default: null },
  },
  { collection: 'webhook_endpoint_health', versionKey: false },
);

export function webhookEndpointModel(conn: Connection): Model<WebhookEndpointDoc> {
  return conn.models.WebhookEndpoint ?? conn.model<WebhookEndpointDoc>('WebhookEndpoint', endpointSchema);
}

export function endpointSecretModel(conn: Connection): Model<EndpointSecretDoc> {
  return conn.models.EndpointSecret ?? conn.model<EndpointSecretDoc>('EndpointSecret', secretSchema);
}

export function endpointHealthModel(conn: Connection): Model<EndpointHealthDoc> {
  return conn.models.EndpointHealth ?? conn.model<EndpointHealthDoc>('EndpointHealth', healthSchema);
}
