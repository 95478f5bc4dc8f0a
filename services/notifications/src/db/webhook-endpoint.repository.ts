import { randomBytes } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import {
  endpointHealthModel,
  endpointSecretModel,
  webhookEndpointModel,
  type EndpointHealthDoc,
  type EndpointSecret,
  type EndpointSecretDoc,
  type WebhookEndpoint,
  type WebhookEndpointDoc,
} from './webhook-endpoint.model';
import type { SecretBox } from './secret-box';

export interface NewEndpoint {
  id: string;
  url: string;
  events: string[];
  description: string;
  secret: string;
  now: Date;
}

export type EndpointPatch = Partial<Pick<WebhookEndpointDoc, 'url' | 'events' | 'description'>>;

/**
 * Webhook endpoints. Operators' changes write only `webhook_endpoints` (and insert secrets), the
 * delivery worker writes only `webhook_endpoint_health`: a worker's write can never put back an
 * URL, a status or a secret an operator just changed, whatever the store's update does.
 */
export class WebhookEndpointRepository {
  private readonly model: Model<WebhookEndpointDoc>;
  private readonly secrets: Model<EndpointSecretDoc>;
  private readonly health: Model<EndpointHealthDoc>;

  /** `box` encrypts each new secret (see SecretBox); reading hands out secrets as stored. */
  constructor(
    conn: Connection,
    private readonly box: SecretBox,
  ) {
    this.model = webhookEndpointModel(conn);
    this.secrets = endpointSecretModel(conn);
    this.health = endpointHealthModel(conn);
  }

  async create(input: NewEndpoint): Promise<WebhookEndpoint> {
    // The secret first: an endpoint is never seen without one.
    await this.insertSecret(input.id, input.secret, 0, input.now);
    await this.model.create({
      _id: input.id,
      url: input.url,
      events: input.events,
      description: input.description,
      status: 'enabled',
      disabledAt: null,
      enabledAt: input.now,
      createdAt: input.now,
      updatedAt: input.now,
    });
    return (await this.get(input.id))!;
  }

  /** Every endpoint, oldest first. */
  async list(): Promise<WebhookEndpoint[]> {
    const [docs, secrets, health] = await Promise.all([
      this.model.find().sort({ createdAt: 1 }).lean<WebhookEndpointDoc[]>(),
      this.secrets.find().lean<EndpointSecretDoc[]>(),
      this.health.find().lean<EndpointHealthDoc[]>(),
    ]);
    const healthOf = new Map(health.map((h) => [h._id, h]));
    const secretsOf = new Map<string, EndpointSecretDoc[]>();
    for (const s of secrets) secretsOf.set(s.endpointId, [...(secretsOf.get(s.endpointId) ?? []), s]);
    return docs.map((doc) => endpointOf(doc, secretsOf.get(doc._id) ?? [], healthOf.get(doc._id) ?? null));
  }

  async get(id: string): Promise<WebhookEndpoint | null> {
    const [doc, secrets, health] = await Promise.all([
      this.model.findById(id).lean<WebhookEndpointDoc>(),
      this.secrets.find({ endpointId: id }).sort({ createdAt: 1 }).lean<EndpointSecretDoc[]>(),
      this.health.findById(id).lean<EndpointHealthDoc>(),
    ]);
    return doc ? endpointOf(doc, secrets, health) : null;
  }

  async update(id: string, patch: EndpointPatch, now: Date): Promise<WebhookEndpoint | null> {
    const updated = await this.model.updateOne({ _id: id }, { $set: { ...patch, updatedAt: now } });
    return updated.matchedCount === 1 ? this.get(id) : null;
  }

  /** Enables; failures and an automatic disabling from before count no more. */
  async enable(id: string, now: Date): Promise<WebhookEndpoint | null> {
    const updated = await this.model.updateOne(
      { _id: id },
      { $set: { status: 'enabled', disabledAt: null, enabledAt: now, updatedAt: now } },
    );
    return updated.matchedCount === 1 ? this.get(id) : null;
  }

  async disable(id: string, now: Date): Promise<WebhookEndpoint | null> {
    const updated = await this.model.updateOne(
      { _id: id },
      { $set: { status: 'disabled', disabledAt: now, updatedAt: now } },
    );
    return updated.matchedCount === 1 ? this.get(id) : null;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.model.deleteOne({ _id: id });
    await Promise.all([this.secrets.deleteMany({ endpointId: id }), this.health.deleteOne({ _id: id })]);
    return deleted.deletedCount === 1;
  }

  /**
   * Adds a secret that signs from now on; the ones valid until now keep signing for `graceMs`
   * more (or until their own earlier expiry). Only an insert: two rotations at the same moment
   * both keep their secret, the newer signs, the other for its grace period.
   */
  async rotateSecret(
    id: string,
    secret: string,
    graceMs: number,
    now: Date,
  ): Promise<WebhookEndpoint | null> {
    if (!(await this.model.exists({ _id: id }))) return null;
    await this.insertSecret(id, secret, graceMs, now);
    return this.get(id);
  }

  /**
   * Starts the failure streak at `at` unless one started since the endpoint was last enabled;
   * returns when the streak started.
   */
  async recordFailure(
    endpoint: Pick<WebhookEndpoint, '_id' | 'enabledAt'>,
    at: Date,
    error: string,
  ): Promise<Date> {
    const started: EndpointHealthDoc = {
      _id: endpoint._id,
      failingSince: at,
      lastError: error,
      disabledAt: null,
    };
    if (await insertOnce(this.health, started)) return at;
    await this.health.updateOne(
      { _id: endpoint._id, $or: [{ failingSince: null }, { failingSince: { $lt: endpoint.enabledAt } }] },
      { $set: { failingSince: at } },
    );
    await this.health.updateOne({ _id: endpoint._id }, { $set: { lastError: error } });
    const doc = await this.health.findById(endpoint._id).lean<EndpointHealthDoc>();
    return doc?.failingSince ?? at;
  }

  /** A success ends the failure streak. */
  async recordSuccess(id: string): Promise<void> {
    await this.health.updateOne({ _id: id, failingSince: { $ne: null } }, { $set: { failingSince: null } });
  }

  /** Disables a failing endpoint unless that happened since it was last enabled; true when this call did. */
  async disableFailing(endpoint: Pick<WebhookEndpoint, '_id' | 'enabledAt'>, now: Date): Promise<boolean> {
    const updated = await this.health.updateOne(
      { _id: endpoint._id, $or: [{ disabledAt: null }, { disabledAt: { $lt: endpoint.enabledAt } }] },
      { $set: { disabledAt: now } },
    );
    return updated.modifiedCount === 1;
  }

  private async insertSecret(endpointId: string, secret: string, graceMs: number, now: Date): Promise<void> {
    await this.secrets.create({
      _id: `${endpointId}:${now.getTime()}:${randomBytes(4).toString('hex')}`,
      endpointId,
      // Bound to this endpoint: a value copied to another endpoint's document does not open.
      secret: this.box.seal(secret, endpointId),
      createdAt: now,
      graceMs,
    });
  }
}

/**
 * Puts an endpoint together. Secret i expires when the grace period of the first later rotation
 * ends (or of any later one that ends sooner); the newest never expires.
 */
export function endpointOf(
  doc: WebhookEndpointDoc,
  secretDocs: readonly EndpointSecretDoc[],
  health: EndpointHealthDoc | null,
): WebhookEndpoint {
  // Secrets stored in the endpoint by older releases carry their expiry and end no other's.
  const held = [
    ...(doc.secrets ?? []).map((s) => ({ ...s, graceMs: null as number | null })),
    ...secretDocs.map((s) => ({
      secret: s.secret,
      createdAt: s.createdAt,
      expiresAt: null,
      graceMs: s.graceMs,
    })),
  ].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const secrets: EndpointSecret[] = held.map((s, i) => {
    let expiresAt = s.expiresAt;
    for (const later of held.slice(i + 1)) {
      if (later.graceMs === null) continue;
      const end = new Date(later.createdAt.getTime() + later.graceMs);
      if (!expiresAt || end < expiresAt) expiresAt = end;
    }
    return { secret: s.secret, createdAt: s.createdAt, expiresAt };
  });
  const enabledAt = doc.enabledAt ?? doc.createdAt;
  const since = (at: Date | null | undefined) => (at && at >= enabledAt ? at : null);
  const failedOut = doc.status === 'enabled' ? since(health?.disabledAt) : null;
  return {
    _id: doc._id,
    url: doc.url,
    events: doc.events,
    description: doc.description,
    status: doc.status === 'disabled' || failedOut ? 'disabled' : 'enabled',
    disabledReason: doc.status === 'disabled' ? 'manual' : failedOut ? 'failing' : null,
    disabledAt: doc.status === 'disabled' ? doc.disabledAt : failedOut,
    enabledAt,
    secrets: secrets.reverse(),
    failingSince: since(health?.failingSince),
    lastError: health?.lastError ?? null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/**
 * The secrets that sign a delivery now (as stored; SecretBox.open them with the endpoint id): the
 * current one and those still in their grace period.
 */
export function signingSecrets(endpoint: Pick<WebhookEndpoint, 'secrets'>, now: Date): string[] {
  return endpoint.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret);
}
