import { Schema, type Connection, type Model } from 'mongoose';
import type { BillingAccountFields } from '../domain/billing-account';

/** A payment recorded against an order: one per Stripe invoice or payment-mode PaymentIntent. */
export interface Payment extends BillingAccountFields {
  /** The invoice id (`in_...`) or PaymentIntent id (`pi_...`): once per invoice / intent. */
  paymentId: string;
  orderId: string;
  customerEmail: string;
  source: 'invoice' | 'payment_intent';
  invoiceId: string | null;
  paymentIntentId: string | null;
  subscriptionId: string | null;
  billingReason: string | null;
  amount: number;
  currency: string;
  periodEnd: Date | null;
  receiptUrl: string | null;
  paidAt: Date;
  eventId: string;
}

export type PaymentDoc = Omit<Payment, 'paymentId'> & { _id: string };

const paymentSchema = new Schema<PaymentDoc>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    // The order's account (see BillingAccountFields).
    account: { type: String },
    stripeAccount: { type: String },
    customerEmail: { type: String, required: true },
    source: { type: String, required: true },
    invoiceId: { type: String, default: null },
    paymentIntentId: { type: String, default: null },
    subscriptionId: { type: String, default: null },
    billingReason: { type: String, default: null },
    amount: { type: Number, required: true },
    currency: { type: String, required: true },
    periodEnd: { type: Date, default: null },
    receiptUrl: { type: String, default: null },
    paidAt: { type: Date, required: true },
    eventId: { type: String, required: true },
  },
  { collection: 'payments', versionKey: false },
);
// The payments of one order in time order (status fold, GET /orders/:id).
paymentSchema.index({ orderId: 1, paidAt: 1, _id: 1 });
// GET /customers/:email lists a customer's payments, newest first.
paymentSchema.index({ customerEmail: 1, paidAt: -1, _id: -1 });

export function paymentModel(db: Connection): Model<PaymentDoc> {
  return (
    (db.models.Payment as Model<PaymentDoc> | undefined) ?? db.model<PaymentDoc>('Payment', paymentSchema)
  );
}
