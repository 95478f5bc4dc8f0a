import type { OrderLineV1, ProductKind } from '@billing/contracts';
import type { LineItemWire } from '../stripe/stripe-api';
import { idOf } from '../stripe/stripe-objects';

/** What mapping a line needs from a catalog product. */
export interface CatalogEntry {
  sku: string;
  name: string;
  kind: ProductKind;
  tier: string | null;
  downloadUrl: string | null;
  stripePriceIds: string[];
  stripeProductIds: string[];
  active: boolean;
}

/** The Stripe ids and metadata skus a line item can be mapped by. */
export interface LineKeys {
  priceId: string | null;
  productId: string | null;
  /** `sku` from the price metadata, then from the (expanded) product metadata. */
  skus: string[];
}

export function lineKeys(item: LineItemWire): LineKeys {
  const price = item.price ?? null;
  const product = price?.product && typeof price.product === 'object' ? price.product : null;
  const skus = [price?.metadata?.sku, product?.metadata?.sku].filter(
    (s): s is string => typeof s === 'string' && s.trim() !== '',
  );
  return {
    priceId: price?.id ?? null,
    productId: idOf(price?.product),
    skus: [...new Set(skus.map((s) => s.trim()))],
  };
}

/**
 * Picks the catalog product for a line: an explicit price mapping first (most specific), then the
 * Stripe product, then the sku named in price or product metadata. Inactive products still map,
 * so an order for something just retired is not flagged unmapped.
 */
export function matchProduct(keys: LineKeys, candidates: readonly CatalogEntry[]): CatalogEntry | null {
  const byPrice = keys.priceId ? candidates.find((c) => c.stripePriceIds.includes(keys.priceId!)) : undefined;
  if (byPrice) return byPrice;
  const byProduct = keys.productId
    ? candidates.find((c) => c.stripeProductIds.includes(keys.productId!))
    : undefined;
  if (byProduct) return byProduct;
  for (const sku of keys.skus) {
    const bySku = candidates.find((c) => c.sku === sku);
    if (bySku) return bySku;
  }
  return null;
}

/** One order line; `product` null makes it `unmapped`. */
export function toOrderLine(item: LineItemWire, keys: LineKeys, product: CatalogEntry | null): OrderLineV1 {
  const expanded = item.price?.product && typeof item.price.product === 'object' ? item.price.product : null;
  return {
    lineId: item.id,
    stripePriceId: keys.priceId,
    stripeProductId: keys.productId,
    description: item.description ?? expanded?.name ?? '',
    quantity: item.quantity ?? 1,
    unitAmount: item.price?.unit_amount ?? null,
    amountTotal: item.amount_total,
    currency: item.currency,
    sku: product?.sku ?? null,
    productName: product?.name ?? null,
    kind: product?.kind ?? null,
    tier: product?.tier ?? null,
    downloadUrl: product?.downloadUrl ?? null,
    unmapped: product === null,
  };
}
