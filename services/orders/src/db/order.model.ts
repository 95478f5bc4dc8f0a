import { Schema, type Connection, type Model } from 'mongoose';
import type { OrderLineV1 } from '@billing/contracts';
import type { BillingAccountFields } from '../domain/billing-account';
import type { DerivedOrderState } from '../domain/order-state';

/** A sales order: what Checkout sold (fixed once stored) plus the state derived from its facts. */
export interface Order extends DerivedOrderState, BillingAccountFields {
  /** `ord_` + a hash of the checkout session id, so every replica derives the same id. */
  orderId: string;
  checkoutSessionId: string;
  mode: 'payment' | 'subscription' | 'setup';
  livemode: boolean;
  /** Lower-cased; customers are matched case-insensitively. */
  customerEmail: string;
  customerName: string | null;
  stripeCustomerId: string | null;
  /** `client_reference_id` of the session. */
  cartId: string | null;
  metadata: Record<string, string>;
  subscriptionId: string | null;
  /** Payment mode: the session's PaymentIntent, which charges and refunds point at. */
  paymentIntentId: string | null;
  amountSubtotal: number;
  amountTotal: number;
  currency: string;
  lines: OrderLineV1[];
  /** The subscription's period end as Stripe's API reported it when the order was stored. */
  initialPeriodEnd: Date | null;
  /** When the checkout session was created (Stripe's time), so orders sort the same everywhere. */
  createdAt: Date;
  /**
   * How many times the derived state was written. A write names the revision it was computed
   * from and fails if another replica wrote in between (compare-and-set; see OrderBook).
   */
  revision: number;
}

export type OrderDoc = Omit<Order, 'orderId'> & { _id: string };

const orderSchema = new Schema<OrderDoc>(
  {
    _id: { type: String, required: true },
    checkoutSessionId: { type: String, required: true },
    // Absent: the default account / the platform's own checkout (see BillingAccountFields).
    account: { type: String },
    stripeAccount: { type: String },
    mode: { type: String, required: true },
    livemode: { type: Boolean, required: true },
    customerEmail: { type: String, required: true },
    customerName: { type: String, default: null },
    stripeCustomerId: { type: String, default: null },
    cartId: { type: String, default: null },
    metadata: { type: Schema.Types.Mixed, default: {} },
    subscriptionId: { type: String, default: null },
    paymentIntentId: { type: String, default: null },
    amountSubtotal: { type: Number, required: true },
    amountTotal: { type: Number, required: true },
    currency: { type: String, required: true },
    lines: { type: Schema.Types.Mixed, default: [] },
    initialPeriodEnd: { type: Date, default: null },
    createdAt: { type: Date, required: true },
    status: { type: String, required: true },
    statusAt: { type: Date, default: null },
    paymentStatus: { type: String, required: true },
    confirmedAt: { type: Date, default: null },
    cancelledAt: { type: Date, default: null },
    cancellationReason: { type: String, default: null },
    amountPaid: { type: Number, default: 0 },
    amountRefunded: { type: Number, default: 0 },
    currentPeriodEnd: { type: Date, default: null },
    lastPaymentFailure: { type: Schema.Types.Mixed, default: null },
    oversold: { type: Schema.Types.Mixed, default: [] },
    revision: { type: Number, default: 0 },
  },
  { collection: 'orders', versionKey: false, minimize: false },
);
// Exactly one order per checkout session, also when duplicates race (E11000 = already stored).
orderSchema.index({ checkoutSessionId: 1 }, { unique: true });
// Orders are found by PaymentIntent and subscription through order_links (see order-link.model.ts).
// GET /orders?email= and GET /customers/:email, newest first, with the (createdAt, _id) cursor.
orderSchema.index({ customerEmail: 1, createdAt: -1, _id: -1 });
// GET /orders?status=, newest first.
orderSchema.index({ status: 1, createdAt: -1, _id: -1 });
// GET /orders without filters, newest first.
orderSchema.index({ createdAt: -1, _id: -1 });

export function orderModel(db: Connection): Model<OrderDoc> {
  return (db.models.Order as Model<OrderDoc> | undefined) ?? db.model<OrderDoc>('Order', orderSchema);
}
