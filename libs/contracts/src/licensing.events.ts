import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';
import { Nullable } from './schema';

export const LicenseStatus = Type.Union([
  Type.Literal('active'),
  Type.Literal('suspended'),
  Type.Literal('revoked'),
]);
export type LicenseStatus = Static<typeof LicenseStatus>;

/** A license as notifications and downstream systems see it. */
export const LicenseSummaryV1 = Type.Object({
  licenseId: Type.String(),
  /** The signed license key (a secret of the customer: never logged). */
  key: Type.String(),
  status: LicenseStatus,
  productSku: Type.String(),
  productName: Type.String(),
  tier: Nullable(Type.String()),
  orderId: Type.String(),
  subscriptionId: Nullable(Type.String()),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
});
export type LicenseSummaryV1 = Static<typeof LicenseSummaryV1>;

/** Licenses one event lists at most: 500 summaries of about 0.6 KB stay far below 1 MB. */
export const LICENSES_PER_EVENT = 500;

/**
 * Present when an event's licenses did not fit in one message: the event was published once per
 * page of at most {@link LICENSES_PER_EVENT} licenses, page 1 under the event's usual message id
 * and page n under `<id>:page:<n>`, each with the same other fields.
 */
export const LicensePageV1 = Type.Object({
  number: Type.Integer({ minimum: 1 }),
  of: Type.Integer({ minimum: 2 }),
  /** Licenses on all pages together. */
  licenseCount: Type.Integer({ minimum: 1 }),
});
export type LicensePageV1 = Static<typeof LicensePageV1>;

/**
 * Fired once per confirmed order after its licenses exist (an empty list for an order with
 * nothing to license), so "the order and its licenses exist" is one event (one per page for an
 * order of more than {@link LICENSES_PER_EVENT} licenses, see {@link LicensePageV1}).
 * Message id: `licensing.order.licensed:<orderId>`.
 */
export const OrderLicensedV1 = Type.Object({
  orderId: Type.String(),
  customerEmail: Type.String(),
  subscriptionId: Nullable(Type.String()),
  licenses: Type.Array(LicenseSummaryV1),
  page: Type.Optional(LicensePageV1),
});
export type OrderLicensedV1 = Static<typeof OrderLicensedV1>;
export const ORDER_LICENSED_V1 = defineEvent('licensing', 'licensing.order.licensed', 1, OrderLicensedV1);

/** Shared shape of the per-subscription license lifecycle events below (paged like order.licensed). */
const LicensesChanged = {
  customerEmail: Type.String(),
  subscriptionId: Nullable(Type.String()),
  orderId: Nullable(Type.String()),
  licenses: Type.Array(LicenseSummaryV1),
  page: Type.Optional(LicensePageV1),
};

/**
 * Fired once per renewal invoice that moved expiry forward.
 * Message id: `licensing.licenses.extended:<invoiceId>`.
 */
export const LicensesExtendedV1 = Type.Object({
  ...LicensesChanged,
  invoiceId: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type LicensesExtendedV1 = Static<typeof LicensesExtendedV1>;
export const LICENSES_EXTENDED_V1 = defineEvent(
  'licensing',
  'licensing.licenses.extended',
  1,
  LicensesExtendedV1,
);

/**
 * Fired when a subscription went `past_due` / `unpaid` (or another status that is not `active` /
 * `trialing`) and its licenses were suspended, or an operator suspended a license.
 * Message id: `licensing.licenses.suspended:<stripeEventId>`, or
 * `licensing.licenses.suspended:admin:<licenseId>:<suspendedAt epoch ms>` for an operator's.
 */
export const LicensesSuspendedV1 = Type.Object({ ...LicensesChanged, reason: Type.String() });
export type LicensesSuspendedV1 = Static<typeof LicensesSuspendedV1>;
export const LICENSES_SUSPENDED_V1 = defineEvent(
  'licensing',
  'licensing.licenses.suspended',
  1,
  LicensesSuspendedV1,
);

/**
 * Fired when a suspended subscription is `active` again, or an operator lifted a suspension.
 * Message id: `licensing.licenses.reactivated:<stripeEventId>`, or
 * `licensing.licenses.reactivated:admin:<licenseId>:<suspendedAt epoch ms>` for an operator's.
 */
export const LicensesReactivatedV1 = Type.Object({ ...LicensesChanged });
export type LicensesReactivatedV1 = Static<typeof LicensesReactivatedV1>;
export const LICENSES_REACTIVATED_V1 = defineEvent(
  'licensing',
  'licensing.licenses.reactivated',
  1,
  LicensesReactivatedV1,
);

/**
 * Fired when licenses are revoked for good (subscription deleted, full refund, admin).
 * Message id: `licensing.licenses.revoked:<cause id>`: the Stripe event id of the deletion, the
 * Stripe refund id, or `admin:<licenseId>`.
 */
export const LicensesRevokedV1 = Type.Object({
  ...LicensesChanged,
  reason: Type.Union([Type.Literal('subscription_deleted'), Type.Literal('refunded'), Type.Literal('admin')]),
});
export type LicensesRevokedV1 = Static<typeof LicensesRevokedV1>;
export const LICENSES_REVOKED_V1 = defineEvent(
  'licensing',
  'licensing.licenses.revoked',
  1,
  LicensesRevokedV1,
);

/**
 * Fired when a customer's tier changes (subscription created, plan change, cancellation; a
 * one-time license with a tier, e.g. a lifetime license, issued or refunded).
 * Message id: `licensing.tier.changed:<email key>:<n>`: the n-th announced change of that email's
 * tier (email trimmed and lowercased; 1, 2, 3, ...). Each change is announced once, whichever
 * event or replica found it; the envelope's causation id names the message that caused it.
 */
export const TierChangedV1 = Type.Object({
  customerEmail: Type.String(),
  stripeCustomerId: Nullable(Type.String()),
  subscriptionId: Nullable(Type.String()),
  previousTier: Type.String(),
  tier: Type.String(),
  features: Type.Array(Type.String()),
});
export type TierChangedV1 = Static<typeof TierChangedV1>;
export const TIER_CHANGED_V1 = defineEvent('licensing', 'licensing.tier.changed', 1, TierChangedV1);

/** The subscription as licensing tracks it. */
export const SubscriptionStateV1 = Type.Object({
  subscriptionId: Type.String(),
  customerEmail: Type.String(),
  stripeCustomerId: Nullable(Type.String()),
  status: Type.String(),
  tier: Nullable(Type.String()),
  priceId: Nullable(Type.String()),
  productId: Nullable(Type.String()),
  currentPeriodEnd: Nullable(Type.String({ format: 'date-time' })),
  cancelAtPeriodEnd: Type.Boolean(),
  /** Names of the fields Stripe reported as changed (`previous_attributes`), for updates. */
  changed: Type.Array(Type.String()),
  /** The plan before an update that changed price, product or tier (a plan change); absent otherwise. */
  previousPlan: Type.Optional(
    Type.Object({
      priceId: Nullable(Type.String()),
      productId: Nullable(Type.String()),
      tier: Nullable(Type.String()),
    }),
  ),
});
export type SubscriptionStateV1 = Static<typeof SubscriptionStateV1>;

/** Fired once per `customer.subscription.created`. Message id: `licensing.subscription.created:<subscriptionId>`. */
export const SUBSCRIPTION_CREATED_V1 = defineEvent(
  'licensing',
  'licensing.subscription.created',
  1,
  SubscriptionStateV1,
);
/** Fired once per applied `customer.subscription.updated`. Message id: `licensing.subscription.updated:<stripeEventId>`. */
export const SUBSCRIPTION_UPDATED_V1 = defineEvent(
  'licensing',
  'licensing.subscription.updated',
  1,
  SubscriptionStateV1,
);
/** Fired once per `customer.subscription.deleted`. Message id: `licensing.subscription.cancelled:<subscriptionId>`. */
export const SUBSCRIPTION_CANCELLED_V1 = defineEvent(
  'licensing',
  'licensing.subscription.cancelled',
  1,
  SubscriptionStateV1,
);

export const LICENSING_EVENTS = [
  ORDER_LICENSED_V1,
  LICENSES_EXTENDED_V1,
  LICENSES_SUSPENDED_V1,
  LICENSES_REACTIVATED_V1,
  LICENSES_REVOKED_V1,
  TIER_CHANGED_V1,
  SUBSCRIPTION_CREATED_V1,
  SUBSCRIPTION_UPDATED_V1,
  SUBSCRIPTION_CANCELLED_V1,
] as const;
