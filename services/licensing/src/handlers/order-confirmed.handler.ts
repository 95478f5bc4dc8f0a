import {
  ORDER_LICENSED_V1,
  type OrderConfirmedV1,
  type OrderCreatedV1,
  type TypedEnvelope,
} from '@billing/contracts';
import { causeOf, done, type HandlerContext, type Outcome } from '@billing/runtime';
import { planLicenses } from '../domain/issuance';
import { toSummary, type LicenseRecord, type LicenseView } from '../domain/license-view';
import type { SubscriptionState } from '../domain/subscription-state';
import { pagedLicenseEvents } from '../domain/license-events';
import type { HandlerDeps } from './deps';

/**
 * `orders.order.confirmed.v1`: issues the order's licenses (once per unit, whatever the
 * duplicates) and announces them in `licensing.order.licensed.v1`, also when there are none,
 * because notifications waits for that event to send the purchase email.
 */
export async function handleOrderConfirmed(
  envelope: TypedEnvelope<OrderConfirmedV1>,
  deps: HandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const { order } = envelope.payload;
  const now = deps.clock();
  await rememberCustomer(envelope, deps);
  const subscription = order.subscriptionId ? await deps.subscriptions.stateOf(order.subscriptionId) : null;
  const planned = planLicenses({
    order,
    subscription,
    now,
    durationDays: (sku) => deps.policy.productPolicy(sku).durationDays,
    newLicenseId: deps.newLicenseId,
    sign: (claims) => deps.signer.sign(claims),
  });
  const inserted = await deps.licenses.issue(planned);
  deps.metrics?.issued(inserted);
  const lineOrder = new Map(order.lines.map((line, index) => [line.lineId, index]));
  const stored = (await deps.licenses.byOrder(order.orderId)).sort(
    (a, b) => (lineOrder.get(a.lineId) ?? 0) - (lineOrder.get(b.lineId) ?? 0) || a.unitIndex - b.unitIndex,
  );
  // In the order's line order, so the purchase email lists them as the checkout did.
  const licenses = await announcedViews(stored, subscription, order.orderId, deps);
  // A one-time license with a tier (e.g. a lifetime PRO license) can raise the customer's tier.
  await deps.announcer.emitWithTierChange(
    order.customerEmail,
    order,
    pagedLicenseEvents(
      ORDER_LICENSED_V1,
      `licensing.order.licensed:${order.orderId}`,
      {
        orderId: order.orderId,
        customerEmail: order.customerEmail,
        subscriptionId: order.subscriptionId,
        licenses: licenses.map(toSummary),
      },
      causeOf(ctx),
    ),
    ctx,
  );
  ctx.logger.info({ orderId: order.orderId, licenses: licenses.length, inserted }, 'order licensed');
  return done();
}

/**
 * The licenses as they are now, except one whose revocation by its subscription's deletion the
 * deletion's handler announces (it saw the license first, see RevocationClaims): that one is
 * shown as it was issued, before the deletion, and `licenses.revoked` follows.
 */
async function announcedViews(
  stored: readonly LicenseRecord[],
  issuedWith: SubscriptionState | null,
  orderId: string,
  deps: HandlerDeps,
): Promise<LicenseView[]> {
  const views = await deps.views.view(stored);
  const deleted = views.filter((v) => v.revokeReason === 'subscription_deleted').map((v) => v.licenseId);
  if (deleted.length === 0) return views;
  const ours = await deps.revocations.claim(deleted, `order:${orderId}`, deps.clock());
  const theirs = stored.filter((l) => deleted.includes(l.licenseId) && !ours.has(l.licenseId));
  if (theirs.length === 0 || !theirs[0]!.subscriptionId) return views;
  // On a delivery after the deletion (the first one issued the licenses, then its process died)
  // the state read now is the deletion's: show them as they were before it.
  const beforeDeletion = issuedWith?.deleted
    ? ((await deps.subscriptions.fact(issuedWith.lastEventId))?.previous ?? null)
    : issuedWith;
  const asIssued = await deps.views.view(theirs, {
    subscription: { id: theirs[0]!.subscriptionId, state: beforeDeletion },
  });
  const byId = new Map(asIssued.map((v) => [v.licenseId, v]));
  return views.map((v) => byId.get(v.licenseId) ?? v);
}

/**
 * `orders.order.created.v1` (and confirmed): Stripe's subscription events name the customer only
 * by id, so licensing learns each Stripe customer's email from orders.
 */
export async function handleOrderCreated(
  envelope: TypedEnvelope<OrderCreatedV1>,
  deps: HandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const known = await rememberCustomer(envelope, deps);
  ctx.logger.debug({ orderId: envelope.payload.order.orderId, known }, 'order customer noted');
  return done();
}

async function rememberCustomer(
  envelope: TypedEnvelope<OrderCreatedV1>,
  deps: HandlerDeps,
): Promise<boolean> {
  const { stripeCustomerId, customerEmail } = envelope.payload.order;
  if (!stripeCustomerId) return false;
  await deps.customers.remember(stripeCustomerId, customerEmail, deps.clock());
  return true;
}
