/**
 * Subscription objects as `customer.subscription.*` events carry them.
 *
 * `'basil'` follows {@link CURRENT_API_VERSION}: since 2025-03-31.basil the billing period lives only on
 * each item (`items.data[].current_period_start/end`); the subscription has no top-level period and no
 * `discount` (use `discounts`). Since 2025-09-30.clover new subscriptions default to
 * `billing_mode.type = 'flexible'`.
 *
 * `'legacy'` follows 2025-02-24.acacia: the period is also at the top level, `discount` is present, and
 * single-item subscriptions still carry the undocumented top-level `plan` and `quantity`. Stripe adds
 * new fields to old versions too, so current payloads rendered in acacia also show the item-level
 * period and `billing_mode: { type: 'classic' }`; pass `itemPeriods: false` to mimic a payload from
 * before those fields existed.
 *
 * @see https://docs.stripe.com/changelog/basil/2025-03-31/deprecate-subscription-current-period-start-and-end
 * @see https://docs.stripe.com/api/subscriptions/object
 */
import { legacyPlan, legacyPrice, planFromPrice, price as buildPrice } from './catalog';
import {
  customerId as newCustomerId,
  invoiceId,
  subscriptionId as newSubscriptionId,
  subscriptionItemId,
} from './ids';
import { addMonths, list, nowSeconds, omit } from './shape';
import type { List, PayloadShape, Plan, Price, Subscription, SubscriptionItem } from './shape';

export type SubscriptionStatus =
  'active' | 'past_due' | 'unpaid' | 'canceled' | 'incomplete' | 'incomplete_expired' | 'trialing' | 'paused';

export interface SubscriptionOptions {
  id?: string;
  status?: SubscriptionStatus;
  customerId?: string;
  /** The full price to put on the item; built from the fields below when omitted. */
  price?: Price;
  priceId?: string;
  productId?: string;
  unitAmount?: number;
  currency?: string;
  /** Metadata on the item's price, which is where our services read the tier, e.g. `{ tier: 'pro' }`. */
  tierMetadata?: Record<string, string>;
  /** The subscription's own metadata (copied from `subscription_data.metadata` at checkout). */
  metadata?: Record<string, string>;
  quantity?: number;
  itemId?: string;
  currentPeriodStart?: number;
  /** The fixed date periods are counted from; defaults to the first period start. */
  billingCycleAnchor?: number;
  /** Defaults to one month after the period start. */
  currentPeriodEnd?: number;
  cancelAtPeriodEnd?: boolean;
  /** When the customer asked to cancel (sets `canceled_at`); defaults to now for canceled subscriptions. */
  canceledAt?: number | null;
  /** When the subscription ended; defaults to `canceledAt` for canceled subscriptions. */
  endedAt?: number | null;
  cancellationReason?: 'cancellation_requested' | 'payment_failed' | 'payment_disputed' | null;
  latestInvoiceId?: string | null;
  defaultPaymentMethodId?: string | null;
  created?: number;
  livemode?: boolean;
  shape?: PayloadShape;
  /** Legacy shape only: whether items carry the period fields basil introduced (real payloads do today). */
  itemPeriods?: boolean;
}

export type LegacySubscriptionItem = Omit<
  SubscriptionItem,
  'current_period_start' | 'current_period_end' | 'price' | 'plan'
> & {
  current_period_start?: number;
  current_period_end?: number;
  price: ReturnType<typeof legacyPrice>;
  plan: Plan & { aggregate_usage: null };
};

export type LegacySubscription = Omit<Subscription, 'items'> & {
  current_period_start: number;
  current_period_end: number;
  discount: null;
  items: List<LegacySubscriptionItem>;
  plan: Plan & { aggregate_usage: null };
  quantity: number;
};

export function subscription(opts: SubscriptionOptions & { shape: 'legacy' }): LegacySubscription;
export function subscription(opts?: SubscriptionOptions & { shape?: 'basil' }): Subscription;
export function subscription(opts?: SubscriptionOptions): Subscription | LegacySubscription;
export function subscription(opts: SubscriptionOptions = {}): Subscription | LegacySubscription {
  const id = opts.id ?? newSubscriptionId();
  const created = opts.created ?? nowSeconds();
  const status = opts.status ?? 'active';
  const periodStart = opts.currentPeriodStart ?? created;
  const periodEnd = opts.currentPeriodEnd ?? addMonths(periodStart, 1);
  const livemode = opts.livemode ?? false;
  const quantity = opts.quantity ?? 1;
  const itemPrice =
    opts.price ??
    buildPrice({
      ...(opts.priceId !== undefined && { id: opts.priceId }),
      ...(opts.productId !== undefined && { productId: opts.productId }),
      ...(opts.unitAmount !== undefined && { unitAmount: opts.unitAmount }),
      ...(opts.currency !== undefined && { currency: opts.currency }),
      metadata: opts.tierMetadata ?? {},
      livemode,
    });
  const ended = status === 'canceled' || status === 'incomplete_expired';
  const cancelRequested = ended || (opts.cancelAtPeriodEnd ?? false);
  const canceledAt = opts.canceledAt !== undefined ? opts.canceledAt : cancelRequested ? nowSeconds() : null;

  const item: SubscriptionItem = {
    id: opts.itemId ?? subscriptionItemId(),
    object: 'subscription_item',
    billing_thresholds: null,
    created: created + 1,
    current_period_end: periodEnd,
    current_period_start: periodStart,
    current_trial: null,
    discounts: [],
    metadata: {},
    plan: planFromPrice(itemPrice),
    price: itemPrice,
    quantity,
    subscription: id,
    tax_rates: [],
  };

  const sub: Subscription = {
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: opts.billingCycleAnchor ?? periodStart,
    billing_cycle_anchor_config: null,
    billing_mode:
      opts.shape === 'legacy'
        ? { flexible: null, type: 'classic' }
        : { flexible: { proration_discounts: 'included' }, type: 'flexible', updated_at: created },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: opts.cancelAtPeriodEnd ? periodEnd : null,
    cancel_at_period_end: opts.cancelAtPeriodEnd ?? false,
    canceled_at: canceledAt,
    cancellation_details: {
      comment: null,
      feedback: null,
      feedback_option: null,
      reason: cancelRequested ? (opts.cancellationReason ?? 'cancellation_requested') : null,
    },
    collection_method: 'charge_automatically',
    created,
    currency: itemPrice.currency,
    customer: opts.customerId ?? newCustomerId(),
    customer_account: null,
    days_until_due: null,
    default_payment_method: opts.defaultPaymentMethodId ?? null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: opts.endedAt !== undefined ? opts.endedAt : ended ? canceledAt : null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    items: list([item], `/v1/subscription_items?subscription=${id}`),
    latest_invoice: opts.latestInvoiceId === undefined ? invoiceId() : opts.latestInvoiceId,
    livemode,
    managed_payments: null,
    metadata: opts.metadata ?? {},
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: 'off',
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: created,
    status,
    test_clock: null,
    transfer_data: null,
    trial_end: null,
    trial_settings: {
      end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' },
    },
    trial_start: null,
  };
  return opts.shape === 'legacy' ? toLegacySubscription(sub, opts.itemPeriods ?? true) : sub;
}

/** Re-renders a basil-shaped subscription the way acacia and earlier send it. */
export function toLegacySubscription(sub: Subscription, itemPeriods = true): LegacySubscription {
  const items = sub.items.data.map((item): LegacySubscriptionItem => {
    return {
      ...omit(item, ['current_period_start', 'current_period_end']),
      ...(itemPeriods && {
        current_period_start: item.current_period_start,
        current_period_end: item.current_period_end,
      }),
      price: legacyPrice(item.price),
      plan: legacyPlan(item.plan),
    };
  });
  const first = sub.items.data[0];
  if (!first) throw new Error('a subscription fixture needs at least one item');
  return {
    ...sub,
    current_period_start: first.current_period_start,
    current_period_end: first.current_period_end,
    discount: null,
    items: { ...sub.items, data: items },
    plan: legacyPlan(first.plan),
    quantity: first.quantity ?? 1,
  };
}
