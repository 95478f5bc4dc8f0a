import { Type } from '@sinclair/typebox';
import {
  BillingAccountFieldsV1,
  Nullable,
  OrderLineV1,
  OrderRefundedV1,
  OrderStatus,
  PaymentFailureReasonV1,
  PaymentRecordedV1,
} from '@billing/contracts';
import { ErrorBody } from '@billing/runtime';

const DateTime = Type.String({ format: 'date-time' });

export { ErrorBody };

/** Error answers every admin route can give, for the OpenAPI document. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
} as const;

export const PaymentStatusSchema = Type.Union(
  ['unpaid', 'paid', 'failed', 'partially_refunded', 'refunded'].map((s) => Type.Literal(s)),
);

/** A recorded payment: the payload of `orders.payment.recorded.v1` plus the Stripe event that recorded it. */
export const PaymentView = Type.Composite([PaymentRecordedV1, Type.Object({ eventId: Type.String() })]);

/** A refund as `orders.order.refunded.v1` describes it (the customer is the order's). */
export const RefundView = Type.Omit(OrderRefundedV1, ['customerEmail']);

const orderFields = {
  ...BillingAccountFieldsV1,
  orderId: Type.String(),
  checkoutSessionId: Type.String(),
  status: OrderStatus,
  statusAt: Nullable(DateTime),
  paymentStatus: PaymentStatusSchema,
  mode: Type.Union([Type.Literal('payment'), Type.Literal('subscription'), Type.Literal('setup')]),
  livemode: Type.Boolean(),
  customerEmail: Type.String(),
  customerName: Nullable(Type.String()),
  stripeCustomerId: Nullable(Type.String()),
  cartId: Nullable(Type.String({ description: 'client_reference_id of the checkout session' })),
  metadata: Type.Record(Type.String(), Type.String()),
  subscriptionId: Nullable(Type.String()),
  paymentIntentId: Nullable(Type.String()),
  amountSubtotal: Type.Integer(),
  amountTotal: Type.Integer(),
  amountPaid: Type.Integer(),
  amountRefunded: Type.Integer(),
  currency: Type.String(),
  lines: Type.Array(OrderLineV1),
  currentPeriodEnd: Nullable(DateTime),
  createdAt: DateTime,
  confirmedAt: Nullable(DateTime),
  cancelledAt: Nullable(DateTime),
  cancellationReason: Nullable(Type.String()),
  lastPaymentFailure: Nullable(
    Type.Composite([
      PaymentFailureReasonV1,
      Type.Object({ paymentIntentId: Nullable(Type.String()), failedAt: DateTime }),
    ]),
  ),
  oversold: Type.Array(
    Type.Object({
      lineId: Type.String(),
      sku: Type.String(),
      requested: Type.Integer(),
      allocated: Type.Integer(),
    }),
    { description: 'Physical lines that were short of stock at confirmation' },
  ),
};

export const OrderView = Type.Object(orderFields);
export const OrderDetail = Type.Object({
  ...orderFields,
  payments: Type.Array(PaymentView),
  refunds: Type.Array(RefundView),
});

export const OrderPage = Type.Object({
  items: Type.Array(OrderView),
  nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page' })),
});

/** The answer of `DELETE /customers/:email/data`: what orders erased (the other services follow). */
export const CustomerErasureView = Type.Object({
  /** What the email was replaced with, here and in the other services. */
  placeholder: Type.String(),
  erasedAt: DateTime,
  /** The `orders.customer.erased.v1` event the other services erase from. */
  eventId: Type.String(),
  /** Documents changed per collection; all 0 when there was nothing (left) to erase. */
  erased: Type.Object({
    customers: Type.Integer(),
    orders: Type.Integer(),
    payments: Type.Integer(),
    refunds: Type.Integer(),
  }),
});

export const CustomerDetail = Type.Object({
  ...BillingAccountFieldsV1,
  email: Type.String(),
  name: Nullable(Type.String()),
  stripeCustomerIds: Type.Array(Type.String()),
  createdAt: DateTime,
  orders: Type.Array(OrderView),
  payments: Type.Array(PaymentView),
});
