import { Schema, type Connection, type Model } from 'mongoose';

/** A Stripe refund applied to an order, once per refund id. */
export interface Refund {
  refundId: string;
  orderId: string;
  customerEmail: string;
  chargeId: string;
  paymentIntentId: string | null;
  amount: number;
  /** Refunded on the charge up to and including this refund. */
  amountRefunded: number;
  amountCharged: number;
  currency: string;
  /** This refund completed the refund of its charge. */
  full: boolean;
  refundedAt: Date;
}

export type RefundDoc = Omit<Refund, 'refundId'> & { _id: string };

const refundSchema = new Schema<RefundDoc>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    customerEmail: { type: String, required: true },
    chargeId: { type: String, required: true },
    paymentIntentId: { type: String, default: null },
    amount: { type: Number, required: true },
    amountRefunded: { type: Number, required: true },
    amountCharged: { type: Number, required: true },
    currency: { type: String, required: true },
    full: { type: Boolean, required: true },
    refundedAt: { type: Date, required: true },
  },
  { collection: 'refunds', versionKey: false },
);
// The refunds of one order in time order (status fold, GET /orders/:id).
refundSchema.index({ orderId: 1, refundedAt: 1, _id: 1 });

export function refundModel(db: Connection): Model<RefundDoc> {
  return (db.models.Refund as Model<RefundDoc> | undefined) ?? db.model<RefundDoc>('Refund', refundSchema);
}
