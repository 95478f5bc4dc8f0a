import { Type, type Static } from '@sinclair/typebox';
import { Nullable, compile, type Validator } from './schema';
import { BillingAccountFieldsV1 } from './orders.events';

/**
 * Outbound webhooks: what the notifications service POSTs to the endpoints integrators register.
 * These names and `data` shapes are a public contract: within a name only add optional fields;
 * a breaking change is a new event name published beside the old one.
 *
 * Every delivery is signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`); `webhook-id` equals the body's `id` and stays the same across retries,
 * replays and endpoints, so a receiver de-duplicates on it.
 *
 * The shapes are written out here even where they match an internal domain event today (e.g.
 * `subscription.*` and `licensing.subscription.*.v1`): deriving them would let an internal change
 * silently change what integrators receive.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */

const DateTime = Type.String({ format: 'date-time' });

/** A license as integrators see it. `key` is the customer's signed license key (a secret). */
export const OutboundLicense = Type.Object({
  licenseId: Type.String(),
  key: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('revoked')]),
  productSku: Type.String(),
  productName: Type.String(),
  tier: Nullable(Type.String()),
  orderId: Type.String(),
  subscriptionId: Nullable(Type.String()),
  expiresAt: Nullable(DateTime),
});
export type OutboundLicense = Static<typeof OutboundLicense>;

/**
 * `checkout.completed`: a paid order and its licenses exist (an empty `licenses` list when nothing
 * in the order is licensed). Fired once per order. An order of more than 500 licenses lists the
 * first 500 here and says how many there are in `licenseCount`; each license has its own
 * `license.issued` either way.
 */
export const CheckoutCompletedData = Type.Object({
  orderId: Type.String(),
  customerEmail: Type.String(),
  customerName: Nullable(Type.String()),
  subscriptionId: Nullable(Type.String()),
  /** Minor units (cents) in `currency`. */
  amountTotal: Type.Integer(),
  currency: Type.String(),
  licenses: Type.Array(OutboundLicense),
  /** Every license of the order, when more than `licenses` lists. */
  licenseCount: Type.Optional(Type.Integer({ minimum: 0 })),
  /** The order's Stripe account label and Connect account, when not the default / the platform. */
  ...BillingAccountFieldsV1,
});
export type CheckoutCompletedData = Static<typeof CheckoutCompletedData>;

/** `payment.succeeded`: a payment (first invoice, renewal or one-time) was recorded against an order. */
export const PaymentSucceededData = Type.Object({
  paymentId: Type.String(),
  orderId: Type.String(),
  customerEmail: Type.String(),
  subscriptionId: Nullable(Type.String()),
  invoiceId: Nullable(Type.String()),
  paymentIntentId: Nullable(Type.String()),
  /** Stripe `billing_reason` for invoices: `subscription_create`, `subscription_cycle`, ... */
  billingReason: Nullable(Type.String()),
  amount: Type.Integer(),
  currency: Type.String(),
  periodEnd: Nullable(DateTime),
  receiptUrl: Nullable(Type.String()),
  paidAt: DateTime,
  /** The payment's Stripe account label and Connect account, when not the default / the platform. */
  ...BillingAccountFieldsV1,
});
export type PaymentSucceededData = Static<typeof PaymentSucceededData>;

/** `payment.failed`: a payment attempt failed; `reason` is what Stripe reported. */
export const PaymentFailedData = Type.Object({
  orderId: Nullable(Type.String()),
  customerEmail: Nullable(Type.String()),
  subscriptionId: Nullable(Type.String()),
  invoiceId: Nullable(Type.String()),
  paymentIntentId: Nullable(Type.String()),
  amount: Type.Integer(),
  currency: Type.String(),
  reason: Type.Object({
    code: Nullable(Type.String()),
    declineCode: Nullable(Type.String()),
    message: Nullable(Type.String()),
  }),
  failedAt: DateTime,
});
export type PaymentFailedData = Static<typeof PaymentFailedData>;

/** `subscription.created` / `subscription.updated` / `subscription.cancelled`: the subscription now. */
export const SubscriptionData = Type.Object({
  subscriptionId: Type.String(),
  customerEmail: Type.String(),
  stripeCustomerId: Nullable(Type.String()),
  /** Stripe subscription status (`active`, `past_due`, `canceled`, ...). */
  status: Type.String(),
  tier: Nullable(Type.String()),
  priceId: Nullable(Type.String()),
  productId: Nullable(Type.String()),
  currentPeriodEnd: Nullable(DateTime),
  cancelAtPeriodEnd: Type.Boolean(),
  /** For updates: the fields Stripe reported as changed. */
  changed: Type.Array(Type.String()),
  /** For an update that changed the plan (price, product or tier): the plan before. */
  previousPlan: Type.Optional(
    Type.Object({
      priceId: Nullable(Type.String()),
      productId: Nullable(Type.String()),
      tier: Nullable(Type.String()),
    }),
  ),
});
export type SubscriptionData = Static<typeof SubscriptionData>;

/** `order.refunded`: one refund applied to an order (`full` once everything charged is refunded). */
export const OrderRefundedData = Type.Object({
  orderId: Type.String(),
  customerEmail: Type.String(),
  refundId: Type.String(),
  chargeId: Type.String(),
  /** This refund. */
  amount: Type.Integer(),
  /** Refunded on the charge so far, this refund included. */
  amountRefunded: Type.Integer(),
  amountCharged: Type.Integer(),
  currency: Type.String(),
  full: Type.Boolean(),
  refundedAt: DateTime,
});
export type OrderRefundedData = Static<typeof OrderRefundedData>;

/** `license.issued`: one license was issued for a paid order (one event per license). */
export const LicenseIssuedData = Type.Object({
  customerEmail: Type.String(),
  license: OutboundLicense,
});
export type LicenseIssuedData = Static<typeof LicenseIssuedData>;

const LicensesChangedFields = {
  customerEmail: Type.String(),
  subscriptionId: Nullable(Type.String()),
  orderId: Nullable(Type.String()),
  /** The licenses after the change. */
  licenses: Type.Array(OutboundLicense),
};

/** `license.extended`: a renewal moved the licenses' expiry to `expiresAt`. */
export const LicenseExtendedData = Type.Object({
  ...LicensesChangedFields,
  invoiceId: Type.String(),
  expiresAt: DateTime,
});
export type LicenseExtendedData = Static<typeof LicenseExtendedData>;

/** `license.suspended`: the subscription is past due or unpaid; the licenses stop working until paid. */
export const LicenseSuspendedData = Type.Object({ ...LicensesChangedFields, reason: Type.String() });
export type LicenseSuspendedData = Static<typeof LicenseSuspendedData>;

/** `license.reactivated`: a suspended subscription is paid again. */
export const LicenseReactivatedData = Type.Object({ ...LicensesChangedFields });
export type LicenseReactivatedData = Static<typeof LicenseReactivatedData>;

/** `license.revoked`: the licenses end for good (`subscription_deleted`, `refunded`, `admin`). */
export const LicenseRevokedData = Type.Object({ ...LicensesChangedFields, reason: Type.String() });
export type LicenseRevokedData = Static<typeof LicenseRevokedData>;

/** `tier.changed`: the customer's tier (and the features it unlocks) changed. */
export const TierChangedData = Type.Object({
  customerEmail: Type.String(),
  stripeCustomerId: Nullable(Type.String()),
  subscriptionId: Nullable(Type.String()),
  previousTier: Type.String(),
  tier: Type.String(),
  features: Type.Array(Type.String()),
});
export type TierChangedData = Static<typeof TierChangedData>;

/** Every outbound event: its name, what fires it and the schema of its `data`. Do not rename. */
export const OUTBOUND_EVENTS = {
  'checkout.completed': { schema: CheckoutCompletedData, description: 'A paid order and its licenses exist' },
  'payment.succeeded': { schema: PaymentSucceededData, description: 'A payment was recorded' },
  'payment.failed': { schema: PaymentFailedData, description: 'A payment attempt failed' },
  'subscription.created': { schema: SubscriptionData, description: 'A subscription was created' },
  'subscription.updated': { schema: SubscriptionData, description: 'A subscription changed' },
  'subscription.cancelled': { schema: SubscriptionData, description: 'A subscription ended' },
  'order.refunded': { schema: OrderRefundedData, description: 'A refund was applied to an order' },
  'license.issued': { schema: LicenseIssuedData, description: 'A license was issued' },
  'license.extended': { schema: LicenseExtendedData, description: 'Licenses were extended by a renewal' },
  'license.suspended': { schema: LicenseSuspendedData, description: 'Licenses were suspended' },
  'license.reactivated': { schema: LicenseReactivatedData, description: 'Suspended licenses work again' },
  'license.revoked': { schema: LicenseRevokedData, description: 'Licenses were revoked' },
  'tier.changed': { schema: TierChangedData, description: "The customer's tier changed" },
} as const;

export type OutboundEventType = keyof typeof OUTBOUND_EVENTS;
export type OutboundDataOf<T extends OutboundEventType> = Static<(typeof OUTBOUND_EVENTS)[T]['schema']>;
export const OUTBOUND_EVENT_TYPES = Object.keys(OUTBOUND_EVENTS) as OutboundEventType[];

export function isOutboundEventType(value: string): value is OutboundEventType {
  return Object.prototype.hasOwnProperty.call(OUTBOUND_EVENTS, value);
}

/** The body of every outbound webhook. */
export const OutboundWebhookBody = Type.Object({
  /** Stable per event: equal to the `webhook-id` header, the same on every retry and endpoint. */
  id: Type.String(),
  event: Type.String(),
  /** When the underlying domain event happened. */
  createdAt: DateTime,
  data: Type.Unknown(),
});
export type OutboundWebhookBody = Static<typeof OutboundWebhookBody>;

/** Validators of each event's `data`, compiled once. */
export const outboundDataValidators = Object.fromEntries(
  OUTBOUND_EVENT_TYPES.map((type) => [type, compile(OUTBOUND_EVENTS[type].schema)]),
) as { [T in OutboundEventType]: Validator<OutboundDataOf<T>> };
