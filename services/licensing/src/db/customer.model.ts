import { Schema, type Connection, type Model } from 'mongoose';
import type { TierChangedV1 } from '@billing/contracts';

/**
 * Stripe customer id -> email, learned from orders: Stripe's subscription events carry only the
 * customer id, but every licensing event names the customer by email.
 */
export interface CustomerDoc {
  /** Stripe customer id. */
  _id: string;
  email: string;
  /** `email` trimmed and lowercased, for lookups. */
  emailKey: string;
  updatedAt: Date;
}

const customerSchema = new Schema<CustomerDoc>(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true },
    emailKey: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'customers', versionKey: false },
);
// Serves "the Stripe customers of this email" (entitlements, a customer's tier). Checkout creates
// a new Stripe customer per session unless told otherwise, so one email may have several.
customerSchema.index({ emailKey: 1 });

/**
 * One announced change of an email's tier (`licensing.tier.changed`), in a chain per email:
 * `_id` is `<emailKey>:<seq>`, so of two replicas that find the same change at once only the one
 * whose insert of the next link succeeds announces it. The causing message id lets a redelivery
 * after a crash publish the same announcement again.
 */
export interface TierAnnouncementDoc {
  _id: string;
  emailKey: string;
  /** 1 for the email's first announcement, then 2, 3, ... */
  seq: number;
  tier: string;
  /** The message whose handling decided it. */
  messageId: string;
  /** What was announced, to publish it again exactly so. */
  payload: TierChangedV1;
  decidedAt: Date;
}

const tierAnnouncementSchema = new Schema<TierAnnouncementDoc>(
  {
    _id: { type: String, required: true },
    emailKey: { type: String, required: true },
    seq: { type: Number, required: true },
    tier: { type: String, required: true },
    messageId: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    decidedAt: { type: Date, required: true },
  },
  { collection: 'tier_announcements', versionKey: false },
);
// Serves "the last announcement of this email" (the announced tier).
tierAnnouncementSchema.index({ emailKey: 1, seq: -1 });
// Serves "what this message announced" (published again after a crash).
tierAnnouncementSchema.index({ messageId: 1 });

export function customerModel(conn: Connection): Model<CustomerDoc> {
  return conn.models.Customer ?? conn.model<CustomerDoc>('Customer', customerSchema);
}

export function tierAnnouncementModel(conn: Connection): Model<TierAnnouncementDoc> {
  return (
    conn.models.TierAnnouncement ??
    conn.model<TierAnnouncementDoc>('TierAnnouncement', tierAnnouncementSchema)
  );
}
