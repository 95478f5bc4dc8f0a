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

export function emailSendModel(conn: Connection): Model<EmailSendDoc> {
  return conn.models.EmailSend ?? conn.model<EmailSendDoc>('EmailSend', schema);
}
