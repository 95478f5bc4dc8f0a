import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { Nullable } from './schema';
import { BILLING_ACCOUNT_PATTERN } from './stripe';

export const ProductKind = Type.Union([
  Type.Literal('digital'),
  Type.Literal('physical'),
  Type.Literal('subscription'),
]);
export type ProductKind = Static<typeof ProductKind>;

/** One line of a sales order, mapped to our catalog when the Stripe price/product is known. */
export const OrderLineV1 = Type.Object({
  /** Stripe line item id (`li_...`). */
  lineId: Type.String(),
  stripePriceId: Nullable(Type.String()),
  stripeProductId: Nullable(Type.String()),
  description: Type.String(),
  quantity: Type.Integer({ minimum: 0 }),
  /** Minor units (cents). */
  unitAmount: Nullable(Type.Integer()),
  amountTotal: Type.Integer(),
  currency: Type.String(),
  /** Catalog fields; null when `unmapped` is true. */
  sku: Nullable(Type.String()),
  productName: Nullable(Type.String()),
  kind: Nullable(ProductKind),
  tier: Nullable(Type.String()),
  downloadUrl: Nullable(Type.String()),
  /** True when neither the price nor the product is in our catalog: no license is issued for it. */
  unmapped: Type.Boolean(),
});
export type OrderLineV1 = Static<typeof OrderLineV1>;

export const OrderStatus = Type.Union([
  Type.Literal('pending_payment'),
  Type.Literal('confirmed'),
  Type.Literal('payment_failed'),
  Type.Literal('cancelled'),
  Type.Literal('partially_refunded'),
  Type.Literal('refunded'),
]);
export type OrderStatus = Static<typeof OrderStatus>;

/**
 * Which Stripe account an order or payment belongs to, when a deployment serves several
 * (STRIPE_ACCOUNTS): `account` is the label (absent: the default account), `stripeAccount` the
 * Connect account (`acct_...`) the checkout happened on (absent: the platform's own).
 */
export const BillingAccountFieldsV1 = {
  account: Type.Optional(Type.String({ pattern: BILLING_ACCOUNT_PATTERN })),
  stripeAccount: Type.Optional(Type.String({ pattern: '^acct_' })),
};

/** The order as other services need it. */
export const OrderSnapshotV1 = Type.Object({
  orderId: Type.String(),
  checkoutSessionId: Type.String(),
  status: OrderStatus,
  mode: Type.Union([Type.Literal('payment'), Type.Literal('subscription'), Type.Literal('setup')]),
  customerEmail: Type.String(),
  customerName: Nullable(Type.String()),
  stripeCustomerId: Nullable(Type.String()),
  /** `client_reference_id` of the checkout session. */
  cartId: Nullable(Type.String()),
  metadata: Type.Record(Type.String(), Type.String()),
  subscriptionId: Nullable(Type.String()),
  /** ISO time the current subscription period ends, when known. */
  currentPeriodEnd: Nullable(Type.String({ format: 'date-time' })),
  amountSubtotal: Type.Integer(),
  amountTotal: Type.Integer(),
  currency: Type.String(),
  lines: Type.Array(OrderLineV1),
  createdAt: Type.String({ format: 'date-time' }),
  ...BillingAccountFieldsV1,
});
export type OrderSnapshotV1 = Static<typeof OrderSnapshotV1>;

/**
 * Fired once per checkout session when its order is first stored, paid or not.
 * Message id: `orders.order.created:<orderId>`.
 */
export const OrderCreatedV1 = Type.Object({ order: OrderSnapshotV1 });
export type OrderCreatedV1 = Static<typeof OrderCreatedV1>;
export const ORDER_CREATED_V1 = defineEvent('orders', 'orders.order.created', 1, OrderCreatedV1);

/**
 * Fired once when an order's payment is confirmed (paid checkout, or async payment succeeded).
 * Licensing issues licenses from it; notifications sends the purchase confirmation. For a
 * subscription the snapshot's `currentPeriodEnd` is the period end Stripe's API reported when the
 * order was stored.
 * Message id: `orders.order.confirmed:<orderId>`.
 */
export const OrderConfirmedV1 = Type.Object({ order: OrderSnapshotV1 });
export type OrderConfirmedV1 = Static<typeof OrderConfirmedV1>;
export const ORDER_CONFIRMED_V1 = defineEvent('orders', 'orders.order.confirmed', 1, OrderConfirmedV1);

/** Why a payment failed, as Stripe reported it (`last_payment_error`). */
export const PaymentFailureReasonV1 = Type.Object({
  code: Nullable(Type.String()),
  declineCode: Nullable(Type.String()),
  message: Nullable(Type.String()),
  type: Nullable(Type.String()),
});
export type PaymentFailureReasonV1 = Static<typeof PaymentFailureReasonV1>;

/**
 * Fired once per Stripe invoice or payment intent recorded against an order: every `invoice.paid`
 * of a subscription (including the first, `subscription_create`), and the PaymentIntent of a
 * payment-mode order. A PaymentIntent that paid a subscription invoice is recorded once, as the
 * invoice (`source: 'invoice'`).
 * Message id: `orders.payment.recorded:<paymentId>`.
 */
export const PaymentRecordedV1 = Type.Object({
  paymentId: Type.String(),
  orderId: Type.String(),
  customerEmail: Type.String(),
  source: Type.Union([Type.Literal('invoice'), Type.Literal('payment_intent')]),
  invoiceId: Nullable(Type.String()),
  paymentIntentId: Nullable(Type.String()),
  subscriptionId: Nullable(Type.String()),
  /** Stripe `billing_reason` for invoices (`subscription_create`, `subscription_cycle`, ...). */
  billingReason: Nullable(Type.String()),
  amount: Type.Integer(),
  currency: Type.String(),
  /** New end of the paid subscription period (invoices only). */
  periodEnd: Nullable(Type.String({ format: 'date-time' })),
  /** Hosted invoice / receipt URL when Stripe provides one. */
  receiptUrl: Nullable(Type.String()),
  paidAt: Type.String({ format: 'date-time' }),
  ...BillingAccountFieldsV1,
});
export type PaymentRecordedV1 = Static<typeof PaymentRecordedV1>;
export const PAYMENT_RECORDED_V1 = defineEvent('orders', 'orders.payment.recorded', 1, PaymentRecordedV1);

/**
 * Fired once per failed payment intent (or failed async checkout payment). Stripe reports a failed
 * async checkout payment twice (`payment_intent.payment_failed` and
 * `checkout.session.async_payment_failed`); both carry the same message id, so it arrives once.
 * Message id: `orders.payment.failed:<paymentIntentId or checkoutSessionId>`.
 */
export const PaymentFailedV1 = Type.Object({
  orderId: Nullable(Type.String()),
  customerEmail: Nullable(Type.String()),
  paymentIntentId: Nullable(Type.String()),
  invoiceId: Nullable(Type.String()),
  subscriptionId: Nullable(Type.String()),
  amount: Type.Integer(),
  currency: Type.String(),
  reason: PaymentFailureReasonV1,
  failedAt: Type.String({ format: 'date-time' }),
});
export type PaymentFailedV1 = Static<typeof PaymentFailedV1>;
export const PAYMENT_FAILED_V1 = defineEvent('orders', 'orders.payment.failed', 1, PaymentFailedV1);

/**
 * Fired once when a subscription order is cancelled (`customer.subscription.deleted`).
 * Message id: `orders.order.cancelled:<orderId>`.
 */
export const OrderCancelledV1 = Type.Object({
  orderId: Type.String(),
  customerEmail: Type.String(),
  subscriptionId: Nullable(Type.String()),
  cancelledAt: Type.String({ format: 'date-time' }),
  /** Stripe `cancellation_details.reason` when given. */
  reason: Nullable(Type.String()),
});
export type OrderCancelledV1 = Static<typeof OrderCancelledV1>;
export const ORDER_CANCELLED_V1 = defineEvent('orders', 'orders.order.cancelled', 1, OrderCancelledV1);

/**
 * Fired once per Stripe refund applied to an order (`charge.refunded`).
 * Message id: `orders.order.refunded:<refundId>`.
 */
export const OrderRefundedV1 = Type.Object({
  orderId: Type.String(),
  customerEmail: Type.String(),
  chargeId: Type.String(),
  refundId: Type.String(),
  paymentIntentId: Nullable(Type.String()),
  /** Amount of this refund. */
  amount: Type.Integer(),
  /** Total refunded on the charge so far. */
  amountRefunded: Type.Integer(),
  amountCharged: Type.Integer(),
  currency: Type.String(),
  full: Type.Boolean(),
  refundedAt: Type.String({ format: 'date-time' }),
});
export type OrderRefundedV1 = Static<typeof OrderRefundedV1>;
export const ORDER_REFUNDED_V1 = defineEvent('orders', 'orders.order.refunded', 1, OrderRefundedV1);

/**
 * Fired when an operator erased a customer's personal data (`DELETE /customers/:email/data` of the
 * orders service), after orders pseudonymized its own records: licensing and notifications then
 * erase theirs for `email` (replace it with `placeholder`, blank names and rendered content). Every
 * consumer's erasure sets fixed values, so applying it again changes nothing.
 * The payload names the real email so consumers can find what to erase; it stays in the stream
 * until the stream's max age, like every earlier event of that customer.
 * Message id: `orders.customer.erased:<hash of the email>:<n>`, the n-th erasure request for
 * that email (each request erases again everywhere; concurrent ones share one id).
 */
export const CustomerErasedV1 = Type.Object({
  /** Lower-cased. */
  email: Type.String({ minLength: 1 }),
  erasedAt: Type.String({ format: 'date-time' }),
  /** What the email is replaced with everywhere: `erasedEmailPlaceholder` in `erasure.ts`. */
  placeholder: Type.String({ minLength: 1 }),
});
export type CustomerErasedV1 = Static<typeof CustomerErasedV1>;
export const CUSTOMER_ERASED_V1 = defineEvent('orders', 'orders.customer.erased', 1, CustomerErasedV1);

export const ORDERS_EVENTS = [
  ORDER_CREATED_V1,
  ORDER_CONFIRMED_V1,
  PAYMENT_RECORDED_V1,
  PAYMENT_FAILED_V1,
  ORDER_CANCELLED_V1,
  ORDER_REFUNDED_V1,
  CUSTOMER_ERASED_V1,
] as const;
