/**
 * Catalog objects: products, prices, the legacy `plan` view of a price, and the Checkout Session line
 * items returned by `GET /v1/checkout/sessions/:id/line_items` (object `item`).
 *
 * Shapes follow {@link CURRENT_API_VERSION}. Since 2025-03-31.basil `Price.recurring` and `Plan` no
 * longer carry `aggregate_usage`; {@link legacyPrice} and {@link legacyPlan} add it back (as null) for
 * payloads rendered in acacia or earlier. `tax_details` on products is new in 2026-09-30.endive.
 *
 * @see https://docs.stripe.com/api/prices/object
 * @see https://docs.stripe.com/api/checkout/sessions/line_items
 * @see https://docs.stripe.com/changelog/basil/2025-03-31/remove-legacy-usage-based-billing
 */
import { checkoutLineItemId, priceId as newPriceId, productId as newProductId } from './ids';
import { list, nowSeconds } from './shape';
import type { CheckoutLineItem, List, Plan, Price, Product } from './shape';

export interface RecurringOptions {
  interval: NonNullable<Price['recurring']>['interval'];
  intervalCount?: number;
}

export interface PriceOptions {
  id?: string;
  productId?: string;
  unitAmount?: number;
  currency?: string;
  /** Null for a one-time price. Defaults to monthly. */
  recurring?: RecurringOptions | null;
  metadata?: Record<string, string>;
  nickname?: string | null;
  lookupKey?: string | null;
  active?: boolean;
  created?: number;
  livemode?: boolean;
}

export function price(opts: PriceOptions = {}): Price {
  const recurring = opts.recurring === undefined ? { interval: 'month' as const } : opts.recurring;
  const unitAmount = opts.unitAmount ?? 2000;
  return {
    id: opts.id ?? newPriceId(),
    object: 'price',
    active: opts.active ?? true,
    billing_scheme: 'per_unit',
    created: opts.created ?? nowSeconds() - 30 * 24 * 60 * 60,
    currency: opts.currency ?? 'usd',
    custom_unit_amount: null,
    livemode: opts.livemode ?? false,
    lookup_key: opts.lookupKey ?? null,
    metadata: opts.metadata ?? {},
    nickname: opts.nickname ?? null,
    product: opts.productId ?? newProductId(),
    recurring: recurring
      ? {
          interval: recurring.interval,
          interval_count: recurring.intervalCount ?? 1,
          meter: null,
          trial_period_days: null,
          usage_type: 'licensed',
        }
      : null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: unitAmount,
    unit_amount_decimal: String(unitAmount),
  };
}

export interface ProductOptions {
  id?: string;
  name?: string;
  description?: string | null;
  /** e.g. `{ sku: 'PRO-1Y', tier: 'pro' }`: our services read sku and tier from here. */
  metadata?: Record<string, string>;
  defaultPriceId?: string | null;
  type?: 'service' | 'good';
  active?: boolean;
  created?: number;
  livemode?: boolean;
}

export function product(opts: ProductOptions = {}): Product {
  const created = opts.created ?? nowSeconds() - 30 * 24 * 60 * 60;
  return {
    id: opts.id ?? newProductId(),
    object: 'product',
    active: opts.active ?? true,
    created,
    default_price: opts.defaultPriceId ?? null,
    description: opts.description ?? null,
    images: [],
    livemode: opts.livemode ?? false,
    marketing_features: [],
    metadata: opts.metadata ?? {},
    name: opts.name ?? 'Pro license',
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: opts.type ?? 'service',
    unit_label: null,
    updated: created,
    url: null,
  };
}

/**
 * The `plan` Stripe still renders beside `price` on subscription items (and, before basil, on invoice
 * lines and single-item subscriptions): the same object seen through the pre-2018 Plans API.
 */
export function planFromPrice(p: Price): Plan {
  const recurring = p.recurring ?? {
    interval: 'month',
    interval_count: 1,
    meter: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
  return {
    id: p.id,
    object: 'plan',
    active: p.active,
    amount: p.unit_amount,
    amount_decimal: p.unit_amount_decimal,
    billing_scheme: p.billing_scheme,
    created: p.created,
    currency: p.currency,
    interval: recurring.interval,
    interval_count: recurring.interval_count,
    livemode: p.livemode,
    metadata: p.metadata,
    meter: recurring.meter,
    nickname: p.nickname,
    product: p.product,
    tiers_mode: p.tiers_mode,
    transform_usage: null,
    trial_period_days: recurring.trial_period_days,
    usage_type: recurring.usage_type,
  };
}

/** A price as acacia and earlier render it: `recurring.aggregate_usage` is still present. */
export function legacyPrice(
  p: Price,
): Price & { recurring: (Price['recurring'] & { aggregate_usage: null }) | null } {
  return { ...p, recurring: p.recurring ? { ...p.recurring, aggregate_usage: null } : null };
}

export function legacyPlan(p: Plan): Plan & { aggregate_usage: null } {
  return { ...p, aggregate_usage: null };
}

export interface LineItemOptions {
  id?: string;
  /** The expanded price; `price.product` stays an id, as Stripe returns it without a nested expand. */
  price?: Price;
  quantity?: number;
  /** Defaults to the product name Checkout shows, which is what Stripe copies here. */
  description?: string;
  amountDiscount?: number;
  amountTax?: number;
}

export function lineItem(opts: LineItemOptions = {}): CheckoutLineItem {
  const p = opts.price ?? price({ recurring: null });
  const quantity = opts.quantity ?? 1;
  const subtotal = (p.unit_amount ?? 0) * quantity;
  const discount = opts.amountDiscount ?? 0;
  const tax = opts.amountTax ?? 0;
  return {
    id: opts.id ?? checkoutLineItemId(),
    object: 'item',
    adjustable_quantity: null,
    amount_discount: discount,
    amount_subtotal: subtotal,
    amount_tax: tax,
    amount_total: subtotal - discount + tax,
    currency: p.currency,
    description: opts.description ?? 'Pro license',
    metadata: {},
    price: p,
    quantity,
  };
}

/** The body of `GET /v1/checkout/sessions/:id/line_items`. */
export function lineItemList(sessionId: string, items: CheckoutLineItem[]): List<CheckoutLineItem> {
  return list(items, `/v1/checkout/sessions/${sessionId}/line_items`);
}
