import type { OrderLineV1, OrderSnapshotV1 } from '@billing/contracts';
import type { LicenseClaims } from './license-key';
import type { LicenseRecord } from './license-view';
import type { SubscriptionState } from './subscription-state';
import { normalizeTier } from './tiers';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface IssuanceInputs {
  order: OrderSnapshotV1;
  /** The order's subscription as the stored facts say it is now, if any arrived yet. */
  subscription: SubscriptionState | null;
  now: Date;
  /** Fixed lifetime of one-time licenses of a SKU, or null for none. */
  durationDays: (sku: string) => number | null;
  newLicenseId: () => string;
  sign: (claims: LicenseClaims) => string;
}

/** Order lines that get licenses: mapped to our catalog, digital or subscription, with a SKU. */
export function licensedLines(order: OrderSnapshotV1): Array<OrderLineV1 & { sku: string }> {
  return order.lines.filter(
    (line): line is OrderLineV1 & { sku: string } =>
      !line.unmapped &&
      line.sku !== null &&
      (line.kind === 'digital' || line.kind === 'subscription') &&
      line.quantity > 0,
  );
}

/**
 * One license per licensed unit (quantity) of every licensed line. Subscription lines follow the
 * order's subscription and expire with its current period; one-time lines expire only when their
 * product has a configured duration. Ids and keys are new on every call: the store keeps the
 * first ones and ignores the rest (unique order, line, unit index).
 */
export function planLicenses(inputs: IssuanceInputs): LicenseRecord[] {
  const { order, subscription, now } = inputs;
  const records: LicenseRecord[] = [];
  for (const line of licensedLines(order)) {
    const followsSubscription = line.kind === 'subscription' && order.subscriptionId !== null;
    const tier = followsSubscription
      ? (subscription?.tier ?? normalizeTier(line.tier))
      : normalizeTier(line.tier);
    const days = followsSubscription ? null : inputs.durationDays(line.sku);
    const baseExpiresAt = followsSubscription
      ? order.currentPeriodEnd
        ? new Date(order.currentPeriodEnd)
        : null
      : days
        ? new Date(now.getTime() + days * DAY_MS)
        : null;
    for (let unitIndex = 0; unitIndex < line.quantity; unitIndex++) {
      const licenseId = inputs.newLicenseId();
      const claims: LicenseClaims = {
        lid: licenseId,
        sku: line.sku,
        tier,
        iat: Math.floor(now.getTime() / 1000),
        // Only a fixed expiry goes into the key; a subscription's moves with each renewal.
        ...(!followsSubscription && baseExpiresAt && { exp: Math.floor(baseExpiresAt.getTime() / 1000) }),
      };
      records.push({
        licenseId,
        key: inputs.sign(claims),
        orderId: order.orderId,
        ...(order.account && { account: order.account }),
        ...(order.stripeAccount && { stripeAccount: order.stripeAccount }),
        lineId: line.lineId,
        unitIndex,
        customerEmail: order.customerEmail,
        stripeCustomerId: order.stripeCustomerId,
        subscriptionId: followsSubscription ? order.subscriptionId : null,
        productSku: line.sku,
        productName: line.productName ?? line.description,
        tier,
        baseExpiresAt,
        issuedAt: now,
        revokedAt: null,
        revokeReason: null,
        suspendedAt: null,
      });
    }
  }
  return records;
}
