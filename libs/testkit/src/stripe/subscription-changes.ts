/**
 * Subscription changes a customer or the merchant makes: switching plans and cancelling.
 *
 * Shapes follow {@link CURRENT_API_VERSION} (`'basil'`) or 2025-02-24.acacia (`'legacy'`). A plan change
 * keeps the subscription item id and swaps its price, so `previous_attributes` holds the old `items`
 * list (and, in the legacy shape, the old top-level `plan`). A cancellation ends with
 * `customer.subscription.deleted` carrying `status: 'canceled'`, `canceled_at`, `ended_at` and
 * `cancellation_details.reason`.
 *
 * @see https://docs.stripe.com/billing/subscriptions/change-price
 * @see https://docs.stripe.com/billing/subscriptions/cancel
 */
import { price as buildPrice, product as buildProduct } from './catalog';
import { makeEvent } from './events';
import { DAY, apiVersionFor } from './shape';
import type { PayloadShape } from './shape';
import { inOrder } from './scenario-types';
import type { AnyEvent, SubscriptionState } from './scenario-types';
import type { ShapedEvent } from './subscription-scenarios';
import { periodOf, previousAttributes, rebuild } from './subscription-steps';

export interface PlanChangeOptions {
  priceId?: string;
  productId?: string;
  productName?: string;
  tier: string;
  sku?: string;
  unitAmount?: number;
}

export interface PlanChangeResult<S extends PayloadShape> extends SubscriptionState<S> {
  events: { subscriptionUpdated: ShapedEvent<S, 'subscription', 'customer.subscription.updated'> };
  ordered: AnyEvent[];
}

/** Moves the subscription's only item to a new price (and product) a day after the previous step. */
export function planChange<S extends PayloadShape>(
  state: SubscriptionState<S>,
  opts: PlanChangeOptions,
): PlanChangeResult<S> {
  const changedAt = state.clock.next(DAY);
  const interval = state.price.recurring?.interval ?? 'month';
  const metadata = {
    sku: opts.sku ?? `${opts.tier.toUpperCase()}-${interval === 'year' ? '1Y' : '1M'}`,
    tier: opts.tier,
  };
  const product = buildProduct({
    ...(opts.productId !== undefined && { id: opts.productId }),
    name: opts.productName ?? `${opts.tier.charAt(0).toUpperCase()}${opts.tier.slice(1)} plan`,
    metadata,
    livemode: state.livemode,
  });
  const price = buildPrice({
    ...(opts.priceId !== undefined && { id: opts.priceId }),
    productId: product.id,
    unitAmount: opts.unitAmount ?? (state.price.unit_amount ?? 0) * 2,
    currency: state.price.currency,
    recurring: { interval },
    metadata,
    livemode: state.livemode,
  });
  product.default_price = price.id;
  const next = rebuild({ ...state, price, product }, {});
  const subscriptionUpdated = makeEvent('customer.subscription.updated', next, {
    apiVersion: apiVersionFor(state.shape),
    livemode: state.livemode,
    created: changedAt,
    previousAttributes: previousAttributes(state.subscription, next),
  });
  const events = { subscriptionUpdated };
  return { ...state, price, product, subscription: next, events, ordered: inOrder(events) };
}

export interface CancellationOptions {
  /** Cancel at the end of the current period instead of now (an update now, the deletion later). */
  atPeriodEnd?: boolean;
  /** `payment_failed` when Stripe cancels after the last retry failed. */
  reason?: 'cancellation_requested' | 'payment_failed';
}

export interface CancellationResult<S extends PayloadShape> extends SubscriptionState<S> {
  events: {
    /** Only with `atPeriodEnd`: `cancel_at_period_end` turns true. */
    subscriptionUpdated?: ShapedEvent<S, 'subscription', 'customer.subscription.updated'>;
    subscriptionDeleted: ShapedEvent<S, 'subscription', 'customer.subscription.deleted'>;
  };
  ordered: AnyEvent[];
}

export function cancellation<S extends PayloadShape>(
  state: SubscriptionState<S>,
  opts: CancellationOptions = {},
): CancellationResult<S> {
  const reason = opts.reason ?? 'cancellation_requested';
  const eventOpts = { apiVersion: apiVersionFor(state.shape), livemode: state.livemode };
  const requestedAt = state.clock.next(DAY);
  if (!opts.atPeriodEnd) {
    const ended = rebuild(state, {
      status: 'canceled',
      canceledAt: requestedAt,
      endedAt: requestedAt,
      cancellationReason: reason,
    });
    const events = {
      subscriptionDeleted: makeEvent('customer.subscription.deleted', ended, {
        ...eventOpts,
        created: requestedAt,
        request: reason === 'payment_failed' ? 'automatic' : 'api',
      }),
    };
    return { ...state, subscription: ended, events, ordered: inOrder(events) };
  }
  const scheduled = rebuild(state, {
    cancelAtPeriodEnd: true,
    canceledAt: requestedAt,
    cancellationReason: reason,
  });
  const subscriptionUpdated = makeEvent('customer.subscription.updated', scheduled, {
    ...eventOpts,
    created: requestedAt,
    previousAttributes: previousAttributes(state.subscription, scheduled),
  });
  const periodEnd = periodOf(scheduled).end;
  const endedAt = state.clock.advanceTo(periodEnd);
  const ended = rebuild({ ...state, subscription: scheduled }, { status: 'canceled', endedAt: periodEnd });
  const subscriptionDeleted = makeEvent('customer.subscription.deleted', ended, {
    ...eventOpts,
    created: endedAt,
    request: 'automatic',
  });
  const events = { subscriptionUpdated, subscriptionDeleted };
  return { ...state, subscription: ended, events, ordered: inOrder(events) };
}
