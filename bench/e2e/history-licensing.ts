/**
 * The licensing database after K past checkouts, as services/licensing writes it for a confirmed
 * order of a tiered digital product (handlers order-confirmed + tier-announcement):
 *
 * - `licenses`: from planLicenses (one per unit): `_id` (license id), `key` (signed with the run's
 *   key), `orderId`, `lineId`, `unitIndex`, `customerEmail`, `emailKey`, `stripeCustomerId`,
 *   `subscriptionId`, `productSku`, `productName`, `tier`, `baseExpiresAt`, `issuedAt`,
 *   `revokedAt`, `revokeReason`, `suspendedAt`.
 * - `customers`: one per Stripe customer: `_id` (Stripe customer id), `email`, `emailKey`, `updatedAt`.
 * - `tier_announcements`: one per email, the first link of its chain, written when its first
 *   purchase raised it to PRO: `_id` (`<emailKey>:1`), `emailKey`, `seq`, `tier`, `messageId` (the
 *   orders.order.confirmed message), `payload` (the announced tier.changed), `decidedAt`.
 *
 * Not written: `renewals` and `refunds` (the order facts of subscriptions and refunds; a paid
 * one-time checkout has neither), `subscription_facts`, `machines` (no activations),
 * `parked_messages`, `outbox` (handlers publish directly; a row only lives until published).
 */
import type { OrderLineV1 } from '@billing/contracts';
import { customerModel, tierAnnouncementModel } from '@billing/licensing/dist/db/customer.model';
import { emailKeyOf, licenseModel, type LicenseDoc } from '@billing/licensing/dist/db/license.model';
import { registerModels } from '@billing/licensing/dist/db/models';
import { planLicenses } from '@billing/licensing/dist/domain/issuance';
import { createLicenseSigner, type LicenseSigner } from '@billing/licensing/dist/domain/license-key';
import type { LicenseRecord } from '@billing/licensing/dist/domain/license-view';
import { featuresOf, parseTierCatalog } from '@billing/licensing/dist/domain/tiers';
import { orderSnapshot } from '@billing/orders/dist/domain/order-events';
import { orderIdFor } from '@billing/orders/dist/domain/order-id';
import { chunks, insertBatches, openServiceDb, type HistoryTarget, type PastCheckout } from './history';
import { benchLine, pastOrder } from './history-orders';

/** Licensing's default tiers (the run leaves LICENSING_TIERS unset). */
const TIERS = parseTierCatalog(undefined, 'LICENSING_TIERS');

/**
 * The licenses of a past checkout's order. Ed25519 signatures are deterministic, so notifications'
 * loader gets the very keys licensing stored by calling this again.
 */
export function pastLicenses(c: PastCheckout, line: OrderLineV1, signer: LicenseSigner): LicenseRecord[] {
  return planLicenses({
    order: orderSnapshot(pastOrder(c, line)),
    subscription: null,
    now: c.handledAt,
    durationDays: () => null,
    newLicenseId: () => c.licenseId,
    sign: (claims) => signer.sign(claims),
  });
}

export async function loadLicensingHistory(
  checkouts: readonly PastCheckout[],
  target: HistoryTarget,
): Promise<Record<string, number>> {
  const db = await openServiceDb(target.mongoUrl, target.databases.licensing, registerModels);
  const signer = createLicenseSigner(target.signingKey);
  const line = benchLine();
  const written: Record<string, number> = {};
  const count = (name: string, n: number) =>
    (written[`licensing.${name}`] = (written[`licensing.${name}`] ?? 0) + n);
  try {
    for (const chunk of chunks(checkouts, 1000)) {
      const licenses: LicenseDoc[] = [];
      const customers: object[] = [];
      const tiers: object[] = [];
      for (const c of chunk) {
        const records = pastLicenses(c, line, signer);
        for (const { licenseId, ...rest } of records) {
          licenses.push({ _id: licenseId, ...rest, emailKey: emailKeyOf(rest.customerEmail) });
        }
        customers.push({
          _id: c.stripeCustomerId,
          email: c.email,
          emailKey: emailKeyOf(c.email),
          updatedAt: c.handledAt,
        });
        if (!c.firstOfEmail) continue;
        const payload = {
          customerEmail: c.email,
          stripeCustomerId: c.stripeCustomerId,
          subscriptionId: null,
          previousTier: TIERS.defaultTier,
          tier: 'PRO',
          features: featuresOf(TIERS, 'PRO'),
        };
        tiers.push({
          _id: `${emailKeyOf(c.email)}:1`,
          emailKey: emailKeyOf(c.email),
          seq: 1,
          tier: 'PRO',
          messageId: `orders.order.confirmed:${orderIdFor(c.sessionId)}`,
          payload,
          decidedAt: c.handledAt,
        });
      }
      count('licenses', await insertBatches(licenseModel(db), licenses));
      count('customers', await insertBatches(customerModel(db), customers));
      count('tier_announcements', await insertBatches(tierAnnouncementModel(db), tiers));
    }
    return written;
  } finally {
    await db.close();
  }
}
