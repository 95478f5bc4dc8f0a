import { Schema, type Connection, type Model } from 'mongoose';
import type { OrderSnapshotV1 } from '@billing/contracts';

/** The order as `orders.order.confirmed` described it, kept to write the purchase email later. */
export interface OrderSnapshotDoc {
  /** The order id. */
  _id: string;
  order: OrderSnapshotV1;
  /** Envelope id of the event it came from. */
  sourceEventId: string;
  storedAt: Date;
}

const schema = new Schema<OrderSnapshotDoc>(
  {
    _id: { type: String, required: true },
    order: { type: Schema.Types.Mixed, required: true },
    sourceEventId: { type: String, required: true },
    storedAt: { type: Date, required: true },
  },
  { collection: 'order_snapshots', versionKey: false, minimize: false },
);
// `_id` (the order id) serves "the snapshot of order X".
// Serves erasure: "the snapshots of this customer's orders" (orders.customer.erased).
schema.index({ 'order.customerEmail': 1 });

export function orderSnapshotModel(conn: Connection): Model<OrderSnapshotDoc> {
  return conn.models.OrderSnapshot ?? conn.model<OrderSnapshotDoc>('OrderSnapshot', schema);
}
