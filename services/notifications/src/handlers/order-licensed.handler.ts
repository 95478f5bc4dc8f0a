import type {
  LicensePageV1,
  LicenseSummaryV1,
  OrderLicensedV1,
  OrderSnapshotV1,
  OutboundLicense,
  TypedEnvelope,
} from '@billing/contracts';
import { retry, type Outcome } from '@billing/runtime';
import type { PurchaseConfirmationModel } from '../email/template-models';
import { outboundEvent } from '../webhooks/dispatcher';
import type { HandlerDeps } from './deps';
import { emailOutcome } from './email-outcome';

/** Only the public fields, so a field added to the internal event never leaks to integrators. */
export function toOutboundLicense(license: LicenseSummaryV1): OutboundLicense {
  return {
    licenseId: license.licenseId,
    key: license.key,
    status: license.status,
    productSku: license.productSku,
    productName: license.productName,
    tier: license.tier,
    orderId: license.orderId,
    subscriptionId: license.subscriptionId,
    expiresAt: license.expiresAt,
  };
}

export function purchaseModel(
  order: OrderSnapshotV1,
  licenses: LicenseSummaryV1[],
  page: LicensePageV1 | null = null,
): PurchaseConfirmationModel {
  const downloads = new Map<string, string>();
  for (const line of order.lines) {
    if (line.downloadUrl && !downloads.has(line.downloadUrl)) {
      downloads.set(line.downloadUrl, line.productName ?? line.description);
    }
  }
  return {
    customerName: order.customerName,
    orderId: order.orderId,
    orderDate: order.createdAt,
    amountSubtotal: order.amountSubtotal,
    amountTotal: order.amountTotal,
    currency: order.currency,
    lines: order.lines.map((line) => ({
      description: line.productName ?? line.description,
      quantity: line.quantity,
      amountTotal: line.amountTotal,
      currency: line.currency,
    })),
    downloads: [...downloads].map(([url, name]) => ({ name, url })),
    licenses: licenses.map((l) => ({
      productName: l.productName,
      key: l.key,
      tier: l.tier,
      expiresAt: l.expiresAt,
    })),
    isSubscription: order.mode === 'subscription',
    part: page ? { number: page.number, of: page.of } : null,
  };
}

/**
 * `licensing.order.licensed` (once per confirmed order, after its licenses exist):
 * `checkout.completed` and one `license.issued` per license, then the purchase confirmation email
 * with the order summary (from the stored `orders.order.confirmed` snapshot), downloads and keys.
 * An order of more licenses than one event lists comes in pages: `checkout.completed` goes with
 * page 1 (its first licenses and the count), and each page has its `license.issued` webhooks
 * and its email ("part n of m").
 */
export async function handleOrderLicensed(
  event: TypedEnvelope<OrderLicensedV1>,
  deps: HandlerDeps,
): Promise<Outcome> {
  const { payload } = event;
  const order = await deps.orders.get(payload.orderId);
  if (!order) return retry('orders.order.confirmed not seen yet for this order');

  const licenses = payload.licenses.map(toOutboundLicense);
  const page = payload.page ?? null;
  const completed = outboundEvent(event.id, 'checkout.completed', event.occurredAt, {
    orderId: payload.orderId,
    customerEmail: payload.customerEmail,
    customerName: order.customerName,
    subscriptionId: payload.subscriptionId,
    amountTotal: order.amountTotal,
    currency: order.currency,
    licenses,
    ...(page && { licenseCount: page.licenseCount }),
    ...(order.account && { account: order.account }),
    ...(order.stripeAccount && { stripeAccount: order.stripeAccount }),
  });
  await deps.webhooks.publish([
    ...(!page || page.number === 1 ? [completed] : []),
    ...licenses.map((license) =>
      outboundEvent(
        event.id,
        'license.issued',
        event.occurredAt,
        { customerEmail: payload.customerEmail, license },
        license.licenseId,
      ),
    ),
  ]);

  const result = await deps.emails.send({
    eventId: event.id,
    template: 'purchase-confirmation',
    to: payload.customerEmail,
    model: purchaseModel(order, payload.licenses, page),
  });
  return emailOutcome(result);
}
