import { Schema, type Connection, type Model } from 'mongoose';
import type { PaymentFailureReasonV1 } from '@billing/contracts';
import type { FactKind } from '../domain/order-state';

/**
 * Something that happened to an order (confirmed, a payment failed, cancelled), stored once under
 * a key that names it: `confirmed:<orderId>`, `payment_failed:<stripeEventId>`, `cancelled:<orderId>`.
 */
export interface OrderFact {
  key: string;
  orderId: string;
  kind: FactKind;
  /** Stripe's `created` of the event that established it. */
  at: Date;
  eventId: string;
  reason: PaymentFailureReasonV1 | null;
  paymentIntentId: string | null;
  cancellationReason: string | null;
}

export type OrderFactDoc = Omit<OrderFact, 'key'> & { _id: string };

const factSchema = new Schema<OrderFactDoc>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    kind: { type: String, required: true },
    at: { type: Date, required: true },
    eventId: { type: String, required: true },
    reason: { type: Schema.Types.Mixed, default: null },
    paymentIntentId: { type: String, default: null },
    cancellationReason: { type: String, default: null },
  },
  { collection: 'order_facts', versionKey: false },
);
// The status fold reads every fact of one order, in the fold's order (so nothing is sorted in memory).
factSchema.index({ orderId: 1, at: 1, _id: 1 });

export function orderFactModel(db: Connection): Model<OrderFactDoc> {
  return (
    (db.models.OrderFact as Model<OrderFactDoc> | undefined) ??
    db.model<OrderFactDoc>('OrderFact', factSchema)
  );
}
