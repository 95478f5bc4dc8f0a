import type { Connection, Model } from 'mongoose';
import { webhookEndpointModel, type EndpointSecret, type WebhookEndpointDoc } from './webhook-endpoint.model';

export interface NewEndpoint {
  id: string;
  url: string;
  events: string[];
  description: string;
  secret: string;
  now: Date;
}

export type EndpointPatch = Partial<Pick<WebhookEndpointDoc, 'url' | 'events' | 'description'>>;

export class WebhookEndpointRepository {
  private readonly model: Model<WebhookEndpointDoc>;

  constructor(conn: Connection) {
    this.model = webhookEndpointModel(conn);
  }

  async create(input: NewEndpoint): Promise<WebhookEndpointDoc> {
    const doc = await this.model.create({
      _id: input.id,
      url: input.url,
      events: input.events,
      description: input.description,
      status: 'enabled',
      disabledReason: null,
      disabledAt: null,
      secrets: [{ secret: input.secret, createdAt: input.now, expiresAt: null }],
      failingSince: null,
      lastError: null,
      createdAt: input.now,
      updatedAt: input.now,
    });
    return doc.toObject();
  }

  list(): Promise<WebhookEndpointDoc[]> {
    return this.model.find().sort({ createdAt: 1 }).lean<WebhookEndpointDoc[]>();
  }

  get(id: string): Promise<WebhookEndpointDoc | null> {
    return this.model.findById(id).lean<WebhookEndpointDoc>();
  }

  /** Endpoints (enabled or not) subscribed to the event by name or with `*`. */
  subscribedTo(event: string): Promise<WebhookEndpointDoc[]> {
    return this.model.find({ events: { $in: [event, '*'] } }).lean<WebhookEndpointDoc[]>();
  }

  async update(id: string, patch: EndpointPatch, now: Date): Promise<WebhookEndpointDoc | null> {
    const updated = await this.model.updateOne({ _id: id }, { $set: { ...patch, updatedAt: now } });
    return updated.matchedCount === 1 ? this.get(id) : null;
  }

  /** Enables (clearing the failure streak, so one more failure does not disable it again at once). */
  async enable(id: string, now: Date): Promise<WebhookEndpointDoc | null> {
    const updated = await this.model.updateOne(
      { _id: id },
      {
        $set: {
          status: 'enabled',
          disabledReason: null,
          disabledAt: null,
          failingSince: null,
          updatedAt: now,
        },
      },
    );
    return updated.matchedCount === 1 ? this.get(id) : null;
  }

  async disable(id: string, reason: 'manual' | 'failing', now: Date): Promise<WebhookEndpointDoc | null> {
    const updated = await this.model.updateOne(
      { _id: id },
      { $set: { status: 'disabled', disabledReason: reason, disabledAt: now, updatedAt: now } },
    );
    return updated.matchedCount === 1 ? this.get(id) : null;
  }

  /** Disables a failing endpoint unless it is disabled already; true when this call disabled it. */
  async disableFailing(id: string, now: Date): Promise<boolean> {
    const updated = await this.model.updateOne(
      { _id: id, status: 'enabled' },
      { $set: { status: 'disabled', disabledReason: 'failing', disabledAt: now, updatedAt: now } },
    );
    return updated.modifiedCount === 1;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.model.deleteOne({ _id: id });
    return deleted.deletedCount === 1;
  }

  /**
   * Puts a new secret first; the ones still valid keep signing until `now + graceMs` (or their own
   * earlier expiry), expired ones are dropped. A read-modify-write: two rotations at the same
   * moment keep the last writer's list, which still contains a valid current secret.
   */
  async rotateSecret(
    id: string,
    secret: string,
    graceMs: number,
    now: Date,
  ): Promise<WebhookEndpointDoc | null> {
    const current = await this.get(id);
    if (!current) return null;
    const graceEnd = new Date(now.getTime() + graceMs);
    const kept: EndpointSecret[] = current.secrets
      .map((s) => ({ ...s, expiresAt: s.expiresAt && s.expiresAt < graceEnd ? s.expiresAt : graceEnd }))
      .filter((s) => s.expiresAt > now);
    const secrets = [{ secret, createdAt: now, expiresAt: null }, ...kept];
    await this.model.updateOne({ _id: id }, { $set: { secrets, updatedAt: now } });
    return this.get(id);
  }

  /** Starts the failure streak at `at` unless one is running; returns when the streak started. */
  async recordFailure(id: string, at: Date, error: string): Promise<Date | null> {
    await this.model.updateOne({ _id: id, failingSince: null }, { $set: { failingSince: at } });
    await this.model.updateOne({ _id: id }, { $set: { lastError: error } });
    const doc = await this.model
      .findById(id, { failingSince: 1 })
      .lean<Pick<WebhookEndpointDoc, 'failingSince'>>();
    return doc?.failingSince ?? null;
  }

  /** A success ends the failure streak. */
  async recordSuccess(id: string): Promise<void> {
    await this.model.updateOne({ _id: id, failingSince: { $ne: null } }, { $set: { failingSince: null } });
  }
}

/** The secrets that sign a delivery now: the current one and those still in their grace period. */
export function signingSecrets(endpoint: Pick<WebhookEndpointDoc, 'secrets'>, now: Date): string[] {
  return endpoint.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret);
}
