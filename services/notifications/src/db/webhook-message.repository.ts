import type { Connection, Model } from 'mongoose';
import { insertOnce, traceHeaders } from '@billing/runtime';
import { webhookMessageModel, type MessageStatus, type WebhookMessageDoc } from './webhook-message.model';

export interface NewMessage {
  id: string;
  eventId: string;
  event: string;
  endpointId: string;
  body: string;
  /** The customer the body names (`data.customerEmail`), for erasure. */
  customerEmail: string | null;
  /** The Stripe account label the body names (`data.account`); absent: the default account. */
  account?: string;
  now: Date;
  /**
   * When other replicas may take the first attempt: the replica that stores the message attempts
   * it at once, and this holds the others off meanwhile.
   */
  firstAttemptAt: Date;
  /** False for a disabled endpoint: the message is kept as failed, to be replayed once fixed. */
  deliverable: boolean;
}

/** What one attempt changed on its message. */
export interface AttemptOutcome {
  attemptNumber: number;
  at: Date;
  statusCode: number | null;
  error: string | null;
  /** delivered, pending (with nextAttemptAt) or failed (schedule exhausted). */
  status: MessageStatus;
  nextAttemptAt: Date | null;
}

export class WebhookMessageRepository {
  private readonly model: Model<WebhookMessageDoc>;

  constructor(conn: Connection) {
    this.model = webhookMessageModel(conn);
  }

  /** Inserts the message unless (eventId, endpointId) exists; the stored message, or null. */
  async insertIfAbsent(input: NewMessage): Promise<WebhookMessageDoc | null> {
    const doc: WebhookMessageDoc = {
      _id: input.id,
      eventId: input.eventId,
      event: input.event,
      endpointId: input.endpointId,
      body: input.body,
      customerEmail: input.customerEmail,
      ...(input.account && { account: input.account }),
      createdAt: input.now,
      status: input.deliverable ? 'pending' : 'failed',
      attemptCount: 0,
      scheduleStart: 0,
      nextAttemptAt: input.deliverable ? input.firstAttemptAt : null,
      lastAttemptAt: null,
      lastStatusCode: null,
      lastError: input.deliverable ? null : 'endpoint disabled',
      deliveredAt: null,
      traceContext: traceHeaders(),
    };
    return (await insertOnce(this.model, doc)) ? doc : null;
  }

  get(id: string): Promise<WebhookMessageDoc | null> {
    return this.model.findById(id).lean<WebhookMessageDoc>();
  }

  /** Pending messages due by `now`, oldest due first. */
  due(now: Date, limit: number, exclude: readonly string[]): Promise<WebhookMessageDoc[]> {
    return this.model
      .find({ status: 'pending', nextAttemptAt: { $lte: now }, _id: { $nin: [...exclude] } })
      .sort({ nextAttemptAt: 1 })
      .limit(limit)
      .lean<WebhookMessageDoc[]>();
  }

  /** The earliest time a pending message is due, to sleep until then. */
  async nextDueAt(): Promise<Date | null> {
    const doc = await this.model
      .findOne({ status: 'pending' }, { nextAttemptAt: 1 })
      .sort({ nextAttemptAt: 1 })
      .lean<Pick<WebhookMessageDoc, 'nextAttemptAt'>>();
    return doc?.nextAttemptAt ?? null;
  }

  listByEndpoint(
    endpointId: string,
    filter: { status?: MessageStatus; limit: number },
  ): Promise<WebhookMessageDoc[]> {
    const query = filter.status ? { endpointId, status: filter.status } : { endpointId };
    return this.model.find(query).sort({ createdAt: -1 }).limit(filter.limit).lean<WebhookMessageDoc[]>();
  }

  /**
   * Applies an attempt's result, only if no other result for this attempt number was applied
   * (the attemptCount condition); false when someone else already advanced the message.
   */
  async recordAttempt(id: string, outcome: AttemptOutcome): Promise<boolean> {
    const updated = await this.model.updateOne(
      { _id: id, attemptCount: outcome.attemptNumber - 1 },
      {
        $set: {
          attemptCount: outcome.attemptNumber,
          status: outcome.status,
          nextAttemptAt: outcome.nextAttemptAt,
          lastAttemptAt: outcome.at,
          lastStatusCode: outcome.statusCode,
          lastError: outcome.error,
          ...(outcome.status === 'delivered' ? { deliveredAt: outcome.at } : {}),
        },
      },
    );
    return updated.modifiedCount === 1;
  }

  /** Stops a pending message without an attempt (its endpoint is disabled or gone). */
  async stopPending(id: string, reason: string): Promise<void> {
    await this.model.updateOne(
      { _id: id, status: 'pending' },
      { $set: { status: 'failed', nextAttemptAt: null, lastError: reason } },
    );
  }

  /** Stops every pending message of an endpoint that was just disabled; replay brings them back. */
  async stopPendingOfEndpoint(endpointId: string, reason: string): Promise<void> {
    await this.model.updateMany(
      { endpointId, status: 'pending' },
      { $set: { status: 'failed', nextAttemptAt: null, lastError: reason } },
    );
  }

  /** Makes a message due now with a fresh retry schedule; false when there is no such message. */
  async replay(id: string, now: Date): Promise<boolean> {
    const doc = await this.get(id);
    if (!doc) return false;
    await this.model.updateOne(
      { _id: id, attemptCount: doc.attemptCount },
      { $set: { status: 'pending', nextAttemptAt: now, scheduleStart: doc.attemptCount } },
    );
    return true;
  }

  /**
   * Replays an endpoint's messages created since `since` that are not pending: the failed ones,
   * and the delivered ones too when asked. Returns how many were replayed.
   */
  async replaySince(endpointId: string, since: Date, includeDelivered: boolean, now: Date): Promise<number> {
    const statuses: MessageStatus[] = includeDelivered ? ['failed', 'delivered'] : ['failed'];
    const docs = await this.model
      .find({ endpointId, createdAt: { $gte: since }, status: { $in: statuses } }, { _id: 1 })
      .lean<Array<Pick<WebhookMessageDoc, '_id'>>>();
    let count = 0;
    for (const doc of docs) if (await this.replay(doc._id, now)) count += 1;
    return count;
  }

  async deleteByEndpoint(endpointId: string): Promise<void> {
    await this.model.deleteMany({ endpointId });
  }
}
