import { Schema, type Connection, type Model, type Types } from 'mongoose';

export type EmailSendStatus = 'sending' | 'sent' | 'failed';

/** The send ledger: one row per (triggering event, template), i.e. per email we owe someone. */
export interface EmailSendDoc {
  _id: Types.ObjectId;
  eventId: string;
  template: string;
  to: string;
  status: EmailSendStatus;
  /** The Message-ID header, derived from (eventId, template): the same on every attempt. */
  messageId: string;
  subject: string | null;
  /** When the current `sending` attempt started; a `sending` row older than the lease is abandoned. */
  claimedAt: Date;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

const schema = new Schema<EmailSendDoc>(
  {
    eventId: { type: String, required: true },
    template: { type: String, required: true },
    to: { type: String, required: true },
    status: { type: String, required: true, enum: ['sending', 'sent', 'failed'] },
    messageId: { type: String, required: true },
    subject: { type: String, default: null },
    claimedAt: { type: Date, required: true },
    attempts: { type: Number, required: true },
    lastError: { type: String, default: null },
    createdAt: { type: Date, required: true },
    sentAt: { type: Date, default: null },
  },
  { collection: 'email_sends', versionKey: false },
);
// Exactly one email per (event, template): the insert of a second `sending` row fails with E11000.
// Also serves "the ledger row of this event and template".
schema.index({ eventId: 1, template: 1 }, { unique: true });
// Serves the operator's "emails to this customer, newest first".
schema.index({ to: 1, createdAt: -1 });
// Retention: finished sends older than EMAIL_RETENTION_DAYS.
schema.index({ status: 1, createdAt: 1 });

export function emailSendModel(conn: Connection): Model<EmailSendDoc> {
  return conn.models.EmailSend ?? conn.model<EmailSendDoc>('EmailSend', schema);
}

/**
 * One row per attempt to send a ledger row's email beyond the first. Taking over a `failed` or
 * abandoned row is decided by inserting the next attempt number under a unique index, because a
 * conditional update is not atomic on the embedded store: of two takers, one insert wins.
 */
export interface EmailClaimDoc {
  _id: Types.ObjectId;
  eventId: string;
  template: string;
  attempt: number;
  claimedAt: Date;
}

const claimSchema = new Schema<EmailClaimDoc>(
  {
    eventId: { type: String, required: true },
    template: { type: String, required: true },
    attempt: { type: Number, required: true },
    claimedAt: { type: Date, required: true },
  },
  { collection: 'email_claims', versionKey: false },
);
// One taker per attempt of one email.
claimSchema.index({ eventId: 1, template: 1, attempt: 1 }, { unique: true });
// Retention: claims older than EMAIL_RETENTION_DAYS.
claimSchema.index({ claimedAt: 1 });

export function emailClaimModel(conn: Connection): Model<EmailClaimDoc> {
  return conn.models.EmailClaim ?? conn.model<EmailClaimDoc>('EmailClaim', claimSchema);
}
