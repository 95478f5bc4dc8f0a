import { Schema, type Connection, type Model } from 'mongoose';
import type { LicenseRecord } from '../domain/license-view';

/** A license record as stored: its id is `_id`, beside the lookup key of its email. */
export type LicenseDoc = Omit<LicenseRecord, 'licenseId'> & {
  _id: string;
  /** `customerEmail` trimmed and lowercased, for lookups. */
  emailKey: string;
};

const licenseSchema = new Schema<LicenseDoc>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    orderId: { type: String, required: true },
    // The order's Stripe account and Connect account; absent for the default account / the platform.
    account: { type: String },
    stripeAccount: { type: String },
    lineId: { type: String, required: true },
    unitIndex: { type: Number, required: true },
    customerEmail: { type: String, required: true },
    emailKey: { type: String, required: true },
    stripeCustomerId: { type: String, default: null },
    subscriptionId: { type: String, default: null },
    productSku: { type: String, required: true },
    productName: { type: String, required: true },
    tier: { type: String, default: null },
    baseExpiresAt: { type: Date, default: null },
    issuedAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    revokeReason: { type: String, default: null },
    suspendedAt: { type: Date, default: null },
  },
  { collection: 'licenses', versionKey: false, minimize: false },
);
// Exactly one license per licensed unit of an order line, however often the order is delivered;
// also serves "the licenses of this order" (refunds, renewals, the order-licensed event).
licenseSchema.index({ orderId: 1, lineId: 1, unitIndex: 1 }, { unique: true });
// Serves "the licenses of this subscription" (suspension, reactivation, revocation), in order-line order.
licenseSchema.index({ subscriptionId: 1, orderId: 1, lineId: 1, unitIndex: 1 });
// Serves entitlements and the admin listing by customer email, in order-line order.
licenseSchema.index({ emailKey: 1, orderId: 1, lineId: 1, unitIndex: 1 });

/** Emails are compared trimmed and case-insensitively. */
export function emailKeyOf(email: string): string {
  return email.trim().toLowerCase();
}

export function licenseModel(conn: Connection): Model<LicenseDoc> {
  return conn.models.License ?? conn.model<LicenseDoc>('License', licenseSchema);
}
