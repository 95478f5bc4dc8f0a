import { Schema, type Connection, type Model } from 'mongoose';

/** A paid subscription invoice recorded against an order: its licenses run at least until `periodEnd`. */
export interface RenewalDoc {
  /** Stripe invoice id: an invoice extends expiry once. */
  _id: string;
  orderId: string;
  subscriptionId: string | null;
  paymentId: string;
  billingReason: string | null;
  periodEnd: Date;
  recordedAt: Date;
}

const renewalSchema = new Schema<RenewalDoc>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    subscriptionId: { type: String, default: null },
    paymentId: { type: String, required: true },
    billingReason: { type: String, default: null },
    periodEnd: { type: Date, required: true },
    recordedAt: { type: Date, required: true },
  },
  { collection: 'renewals', versionKey: false },
);
// Serves "the latest paid period of these orders" (license expiry).
renewalSchema.index({ orderId: 1, periodEnd: -1 });

/** A refund applied to an order, stored whether or not it revoked anything. */
export interface RefundDoc {
  /** Stripe refund id. */
  _id: string;
  orderId: string;
  chargeId: string;
  full: boolean;
  amount: number;
  refundedAt: Date;
  recordedAt: Date;
}

const refundSchema = new Schema<RefundDoc>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    chargeId: { type: String, required: true },
    full: { type: Boolean, required: true },
    amount: { type: Number, required: true },
    refundedAt: { type: Date, required: true },
    recordedAt: { type: Date, required: true },
  },
  { collection: 'refunds', versionKey: false },
);
// Serves "the refunds of these orders" (license status).
refundSchema.index({ orderId: 1 });

export function renewalModel(conn: Connection): Model<RenewalDoc> {
  return conn.models.Renewal ?? conn.model<RenewalDoc>('Renewal', renewalSchema);
}

export function refundModel(conn: Connection): Model<RefundDoc> {
  return conn.models.Refund ?? conn.model<RefundDoc>('Refund', refundSchema);
}
