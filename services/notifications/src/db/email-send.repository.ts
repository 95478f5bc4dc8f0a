import { Types, type Connection, type Model } from 'mongoose';
import { isErasedEmail } from '@billing/contracts';
import { insertOnce } from '@billing/runtime';
import { emailClaimModel, emailSendModel, type EmailClaimDoc, type EmailSendDoc } from './email-send.model';

export type Claim =
  | { outcome: 'claimed'; id: Types.ObjectId; attempt: number }
  | { outcome: 'already_sent' }
  /** Another delivery of the same event is sending it right now. */
  | { outcome: 'busy' }
  /** Not sent yet, and the customer's data was erased since (the row names the placeholder). */
  | { outcome: 'erased' };

export interface EmailLedger {
  /**
   * Takes the right to send the (eventId, template) email: inserts a `sending` row, or takes over a
   * `failed` one or a `sending` one older than `leaseMs` (its sender died mid-send).
   */
  claim(input: {
    eventId: string;
    template: string;
    to: string;
    messageId: string;
    now: Date;
    leaseMs: number;
  }): Promise<Claim>;
  markSent(id: Types.ObjectId, subject: string, now: Date): Promise<void>;
  markFailed(id: Types.ObjectId, error: string): Promise<void>;
}

export class EmailSendRepository implements EmailLedger {
  private readonly model: Model<EmailSendDoc>;
  private readonly claims: Model<EmailClaimDoc>;

  constructor(conn: Connection) {
    this.model = emailSendModel(conn);
    this.claims = emailClaimModel(conn);
  }

  async claim(input: Parameters<EmailLedger['claim']>[0]): Promise<Claim> {
    const { eventId, template, to, messageId, now, leaseMs } = input;
    const doc: EmailSendDoc = {
      _id: new Types.ObjectId(),
      eventId,
      template,
      to,
      messageId,
      status: 'sending',
      subject: null,
      claimedAt: now,
      attempts: 1,
      lastError: null,
      createdAt: now,
      sentAt: null,
    };
    if (await insertOnce(this.model, doc)) return { outcome: 'claimed', id: doc._id, attempt: 1 };
    const existing = await this.model.findOne({ eventId, template }).lean<EmailSendDoc>();
    if (!existing) return { outcome: 'busy' };
    if (existing.status === 'sent') return { outcome: 'already_sent' };
    if (isErasedEmail(existing.to)) return { outcome: 'erased' };
    if (existing.status === 'sending' && existing.claimedAt.getTime() > now.getTime() - leaseMs)
      return { outcome: 'busy' };
    // Take over: the next attempt number is inserted under a unique index, so of two takers that
    // read the same row only one wins (a conditional update would not decide it on FerretDB).
    // A taker may have died (or lost the store) between its claim and the row's update: its claim
    // then counts as an attempt, and once its lease is over the next number is taken.
    const latest = await this.claims
      .findOne({ eventId, template }, { attempt: 1, claimedAt: 1 })
      .sort({ attempt: -1 })
      .lean<Pick<EmailClaimDoc, 'attempt' | 'claimedAt'>>();
    if (latest && latest.attempt > existing.attempts && latest.claimedAt.getTime() > now.getTime() - leaseMs)
      return { outcome: 'busy' };
    const attempt = Math.max(existing.attempts, latest?.attempt ?? 0) + 1;
    const claim: EmailClaimDoc = { _id: new Types.ObjectId(), eventId, template, attempt, claimedAt: now };
    if (!(await insertOnce(this.claims, claim))) return { outcome: 'busy' };
    await this.model.updateOne(
      { _id: existing._id },
      { $set: { status: 'sending', claimedAt: now, attempts: attempt } },
    );
    return { outcome: 'claimed', id: existing._id, attempt };
  }

  async markSent(id: Types.ObjectId, subject: string, now: Date): Promise<void> {
    await this.model.updateOne(
      { _id: id },
      { $set: { status: 'sent', subject, sentAt: now, lastError: null } },
    );
  }

  async markFailed(id: Types.ObjectId, error: string): Promise<void> {
    await this.model.updateOne(
      { _id: id, status: 'sending' },
      { $set: { status: 'failed', lastError: error.slice(0, 500) } },
    );
  }
}
