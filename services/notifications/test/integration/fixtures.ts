import { randomBytes } from 'node:crypto';
import {
  ORDER_CONFIRMED_V1,
  ORDER_LICENSED_V1,
  type EnvelopeInput,
  type LicenseSummaryV1,
  type OrderConfirmedV1,
  type OrderLicensedV1,
  type OrderSnapshotV1,
} from '@billing/contracts';

/** Domain event payloads as the orders and licensing services publish them. */

export const rand = (n = 8) => randomBytes(n).toString('hex');

export function orderSnapshot(overrides: Partial<OrderSnapshotV1> = {}): OrderSnapshotV1 {
  const orderId = overrides.orderId ?? `ord_${rand()}`;
  return {
    orderId,
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
    amountSubtotal: 7400,
    amountTotal: 7400,
    currency: 'usd',
    lines: [
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
    ],
    createdAt: '2026-03-05T10:15:00.000Z',
    ...overrides,
  };
}

export function license(order: OrderSnapshotV1, overrides: Partial<LicenseSummaryV1> = {}): LicenseSummaryV1 {
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

export function confirmedInput(order: OrderSnapshotV1): EnvelopeInput<OrderConfirmedV1> {
  return {
    id: `${ORDER_CONFIRMED_V1.type}:${order.orderId}`,
    payload: { order },
    correlationId: `evt_${rand(12)}`,
    causationId: `evt_${rand(12)}`,
  };
}

export function licensedInput(
  order: OrderSnapshotV1,
  licenses: LicenseSummaryV1[],
): EnvelopeInput<OrderLicensedV1> {
  return {
    id: `${ORDER_LICENSED_V1.type}:${order.orderId}`,
    payload: {
      orderId: order.orderId,
      customerEmail: order.customerEmail,
      subscriptionId: order.subscriptionId,
      licenses,
    },
    correlationId: `evt_${rand(12)}`,
    causationId: `${ORDER_CONFIRMED_V1.type}:${order.orderId}`,
  };
}

/** A short envelope input with a fresh deterministic-looking id. */
export function input<T>(type: string, key: string, payload: T): EnvelopeInput<T> {
  return { id: `${type}:${key}`, payload, correlationId: `evt_${rand(12)}`, causationId: `evt_${rand(12)}` };
}
