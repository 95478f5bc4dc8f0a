import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Finds an order from the Stripe ids its later events carry: `pi:<paymentIntentId>` (payment-mode
 * orders) and `sub:<subscriptionId>`. Keyed by `_id` because a lookup by `_id` is the one query
 * every Mongo-protocol store answers without scanning (the embedded store scans for any other
 * filter); the key is unique, so a PaymentIntent or subscription names one order.
 */
export interface OrderLinkDoc {
  _id: string;
  orderId: string;
}

const linkSchema = new Schema<OrderLinkDoc>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
  },
  { collection: 'order_links', versionKey: false },
);

export function orderLinkModel(db: Connection): Model<OrderLinkDoc> {
  return (
    (db.models.OrderLink as Model<OrderLinkDoc> | undefined) ??
    db.model<OrderLinkDoc>('OrderLink', linkSchema)
  );
}
