import { randomBytes } from 'node:crypto';
import {
  ORDER_CONFIRMED_V1,
  ORDER_LICENSED_V1,
  type LicenseSummaryV1,
  type OrderConfirmedV1,
  type OrderLicensedV1,
  type OrderLineV1,
  type OrderSnapshotV1,
} from '@billing/contracts';
import type { EnvelopeDraft } from './service-context';

/** Domain event payloads as the orders and licensing services publish them. */

export const rand = (n = 8) => randomBytes(n).toString('hex');

/**
 * A confirmed order as the orders service publishes it. By default a one-year Pro license and a
 * printed manual; given `lines` without amounts, the amounts are their sum.
 */
export function orderSnapshot(overrides: Partial<OrderSnapshotV1> = {}): OrderSnapshotV1 {
  const lines = overrides.lines ?? [
    {
      lineId: `li_${rand()}`,
      stripePriceId: 'price_pro_1y',
      stripeProductId: 'prod_pro',
      description: 'Pro license',
      quantity: 1,
      unitAmount: 4900,
      amountTotal: 4900,
      currency: 'usd',
      sku: 'PRO-1Y',
      productName: 'Pro license (1 year)',
      kind: 'digital',
      tier: 'PRO',
      downloadUrl: 'https://downloads.acme.example/pro/latest.zip',
      unmapped: false,
    },
    {
      lineId: `li_${rand()}`,
      stripePriceId: 'price_manual',
      stripeProductId: 'prod_manual',
      description: 'Printed manual',
      quantity: 1,
      unitAmount: 2500,
      amountTotal: 2500,
      currency: 'usd',
      sku: 'MANUAL',
      productName: 'Printed manual',
      kind: 'physical',
      tier: null,
      downloadUrl: null,
      unmapped: false,
    },
  ];
  const total = lines.reduce((sum, l) => sum + l.amountTotal, 0);
  return {
    orderId: `ord_${rand()}`,
    checkoutSessionId: `cs_test_${rand(12)}`,
    status: 'confirmed',
    mode: 'payment',
    customerEmail: 'ada@example.com',
    customerName: 'Ada Lovelace',
    stripeCustomerId: `cus_${rand(7)}`,
    cartId: null,
    metadata: {},
    subscriptionId: null,
    currentPeriodEnd: null,
    amountSubtotal: total,
    amountTotal: total,
    currency: 'usd',
    createdAt: '2026-03-05T10:15:00.000Z',
    ...overrides,
    lines,
  };
}

/** A Stripe Checkout line item (a fixture's) mapped through the catalog: sku and tier from the price metadata. */
export function orderLine(
  item: {
    id: string;
    description: string | null;
    quantity: number | null;
    amount_total: number;
    currency: string;
    price: {
      id: string;
      product: unknown;
      unit_amount: number | null;
      metadata: Record<string, string>;
    } | null;
  },
  kind: OrderLineV1['kind'],
): OrderLineV1 {
  const metadata = item.price?.metadata ?? {};
  return {
    lineId: item.id,
    stripePriceId: item.price?.id ?? null,
    stripeProductId: typeof item.price?.product === 'string' ? item.price.product : null,
    description: item.description ?? '',
    quantity: item.quantity ?? 1,
    unitAmount: item.price?.unit_amount ?? null,
    amountTotal: item.amount_total,
    currency: item.currency,
    sku: metadata.sku ?? null,
    productName: item.description,
    kind,
    tier: metadata.tier ?? null,
    downloadUrl: null,
    unmapped: !metadata.sku,
  };
}

/** A license of the order as licensing announces it. */
export function licenseSummary(
  order: OrderSnapshotV1,
  overrides: Partial<LicenseSummaryV1> = {},
): LicenseSummaryV1 {
  return {
    licenseId: `lic_${rand()}`,
    key: `PRO-${rand(4).toUpperCase()}-${rand(4).toUpperCase()}-${rand(4).toUpperCase()}`,
    status: 'active',
    productSku: 'PRO-1Y',
    productName: 'Pro license (1 year)',
    tier: 'PRO',
    orderId: order.orderId,
    subscriptionId: order.subscriptionId,
    expiresAt: '2027-03-05T10:15:00.000Z',
    ...overrides,
  };
}

/** An envelope of this type with the id `<type>:<key>` its service would give it. */
export function envelopeDraft<T>(type: string, key: string, payload: T): EnvelopeDraft<T> {
  return { id: `${type}:${key}`, payload };
}

/** `orders.order.confirmed` for the order, as the orders service publishes it. */
export function orderConfirmed(order: OrderSnapshotV1): EnvelopeDraft<OrderConfirmedV1> {
  return envelopeDraft(ORDER_CONFIRMED_V1.type, order.orderId, { order });
}

/** `licensing.order.licensed` for the order, caused by its confirmation. */
export function orderLicensed(
  order: OrderSnapshotV1,
  licenses: LicenseSummaryV1[],
): EnvelopeDraft<OrderLicensedV1> {
  return {
    ...envelopeDraft(ORDER_LICENSED_V1.type, order.orderId, {
      orderId: order.orderId,
      customerEmail: order.customerEmail,
      subscriptionId: order.subscriptionId,
      licenses,
    }),
    causationId: `${ORDER_CONFIRMED_V1.type}:${order.orderId}`,
  };
}
