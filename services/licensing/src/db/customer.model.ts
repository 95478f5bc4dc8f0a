import { Schema, type Connection, type Model } from 'mongoose';

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

/** The tier last announced for an email (`licensing.tier.changed`); the live tier is derived. */
export interface CustomerTierDoc {
  /** Customer email, trimmed and lowercased. */
  _id: string;
  tier: string;
  updatedAt: Date;
}

const customerTierSchema = new Schema<CustomerTierDoc>(
  {
    _id: { type: String, required: true },
    tier: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'customer_tiers', versionKey: false },
);

export function customerModel(conn: Connection): Model<CustomerDoc> {
  return conn.models.Customer ?? conn.model<CustomerDoc>('Customer', customerSchema);
}

export function customerTierModel(conn: Connection): Model<CustomerTierDoc> {
  return conn.models.CustomerTier ?? conn.model<CustomerTierDoc>('CustomerTier', customerTierSchema);
}
