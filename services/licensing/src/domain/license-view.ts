import type { LicenseStatus, LicenseSummaryV1 } from '@billing/contracts';
import { accessOf, type SubscriptionState } from './subscription-state';

export type RevokeReason = 'subscription_deleted' | 'refunded' | 'admin';

/** A license as stored: what was issued, plus the facts that belong to it alone. */
export interface LicenseRecord {
  licenseId: string;
  key: string;
  orderId: string;
  lineId: string;
  unitIndex: number;
  customerEmail: string;
  stripeCustomerId: string | null;
  /** Set for licenses of subscription lines: they follow that subscription. */
  subscriptionId: string | null;
  productSku: string;
  productName: string;
  /** Tier at issue time; a subscription license shows its subscription's current tier instead. */
  tier: string | null;
  /** Expiry at issue time (the order's period end, or a configured duration). */
  baseExpiresAt: Date | null;
  issuedAt: Date;
  /** Set once, never cleared: a revoked license stays revoked. */
  revokedAt: Date | null;
  revokeReason: RevokeReason | null;
  /** Set by an operator; cleared by an operator. */
  suspendedAt: Date | null;
  /** The order's Stripe account label (absent: the default account), see OrderSnapshotV1. */
  account?: string;
  /** The order's Connect account (absent: the platform's own checkout). */
  stripeAccount?: string;
}

/** Facts stored elsewhere that decide a license's current status, tier and expiry. */
export interface LicenseFacts {
  subscription: SubscriptionState | null;
  /** A refund of the license's order revoked it. */
  refundRevoked: boolean;
  /** Latest paid period end recorded for the license's order (renewal invoices). */
  paidThrough: Date | null;
}

/** The license as callers see it now. */
export interface LicenseView {
  licenseId: string;
  key: string;
  status: LicenseStatus;
  revokeReason: RevokeReason | null;
  productSku: string;
  productName: string;
  tier: string | null;
  orderId: string;
  subscriptionId: string | null;
  customerEmail: string;
  expiresAt: Date | null;
  issuedAt: Date;
}

export const NO_FACTS: LicenseFacts = { subscription: null, refundRevoked: false, paidThrough: null };

/**
 * Status precedence: revoked (by an operator, a refund or the subscription's deletion) over
 * suspended (by an operator, or a subscription that is not active) over active. Expiry only moves
 * forward: the later of the issue-time expiry and the latest paid period.
 */
export function viewOf(license: LicenseRecord, facts: LicenseFacts): LicenseView {
  const subscription = license.subscriptionId ? facts.subscription : null;
  const access = accessOf(subscription);
  const revokeReason: RevokeReason | null =
    license.revokeReason ??
    (facts.refundRevoked ? 'refunded' : access === 'revoked' ? 'subscription_deleted' : null);
  const status: LicenseStatus = revokeReason
    ? 'revoked'
    : license.suspendedAt || access === 'suspended'
      ? 'suspended'
      : 'active';
  return {
    licenseId: license.licenseId,
    key: license.key,
    status,
    revokeReason,
    productSku: license.productSku,
    productName: license.productName,
    tier: subscription?.tier ?? license.tier,
    orderId: license.orderId,
    subscriptionId: license.subscriptionId,
    customerEmail: license.customerEmail,
    expiresAt: license.subscriptionId
      ? laterOf(license.baseExpiresAt, facts.paidThrough)
      : license.baseExpiresAt,
    issuedAt: license.issuedAt,
  };
}

export function laterOf(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

export type VerifyCode =
  | 'VALID'
  | 'EXPIRED'
  | 'SUSPENDED'
  | 'REVOKED'
  | 'NOT_FOUND'
  | 'FINGERPRINT_SCOPE_MISMATCH'
  | 'TOO_MANY_MACHINES';

/** Machine facts for a verification scoped to a fingerprint. */
export interface MachineScope {
  /** The fingerprint is activated on this license. */
  activated: boolean;
  /** Machines activated on the license. */
  used: number;
  seats: number;
}

/**
 * The answer to "is this key valid?": status first, then expiry, then the machine scope. A
 * fingerprint that is not activated is TOO_MANY_MACHINES when no seat is free (it cannot be
 * activated), else FINGERPRINT_SCOPE_MISMATCH (activate it first).
 */
export function verifyCode(view: LicenseView, now: Date, scope?: MachineScope): VerifyCode {
  if (view.status === 'revoked') return 'REVOKED';
  if (view.status === 'suspended') return 'SUSPENDED';
  if (view.expiresAt && view.expiresAt.getTime() <= now.getTime()) return 'EXPIRED';
  if (scope && !scope.activated)
    return scope.used >= scope.seats ? 'TOO_MANY_MACHINES' : 'FINGERPRINT_SCOPE_MISMATCH';
  return 'VALID';
}

/** The contract shape of a license in domain events. */
export function toSummary(view: LicenseView): LicenseSummaryV1 {
  return {
    licenseId: view.licenseId,
    key: view.key,
    status: view.status,
    productSku: view.productSku,
    productName: view.productName,
    tier: view.tier,
    orderId: view.orderId,
    subscriptionId: view.subscriptionId,
    expiresAt: view.expiresAt ? view.expiresAt.toISOString() : null,
  };
}
