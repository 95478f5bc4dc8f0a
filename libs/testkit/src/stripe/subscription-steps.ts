/**
 * Building blocks the subscription scenarios share: re-rendering a subscription with a change,
 * computing `previous_attributes`, rolling a billing period over, and a card payment for an invoice.
 *
 * Shapes follow {@link CURRENT_API_VERSION} (`'basil'`) or 2025-02-24.acacia (`'legacy'`). In basil the
 * billing period is read from `items.data[].current_period_*`, in legacy from the top level.
 *
 * @see https://docs.stripe.com/api/events/object#event_object-data-previous_attributes
 * @see https://docs.stripe.com/changelog/basil/2025-03-31/deprecate-subscription-current-period-start-and-end
 */
import { charge as buildCharge } from './charge';
import { invoice as buildInvoice } from './invoice';
import { invoiceId as newInvoiceId } from './ids';
import { cardPaymentMethod, paymentIntent as buildPaymentIntent } from './payment-intent';
import { addMonths, idOf } from './shape';
import type { PayloadShape } from './shape';
import type { Of, SubscriptionState } from './scenario-types';
import { subscription as buildSubscription } from './subscription';
import type { SubscriptionOptions } from './subscription';

/** Stripe's `previous_attributes`: the old value of every top-level field that changed. */
export function previousAttributes(before: object, after: object): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  const old = before as Record<string, unknown>;
  const now = after as Record<string, unknown>;
  for (const key of new Set([...Object.keys(old), ...Object.keys(now)])) {
    if (JSON.stringify(old[key]) !== JSON.stringify(now[key])) previous[key] = old[key] ?? null;
  }
  return previous;
}

interface PeriodCarrier {
  items: { data: Array<{ current_period_start?: number; current_period_end?: number }> };
  current_period_start?: number;
  current_period_end?: number;
}

/** The current billing period, read where the shape keeps it. */
export function periodOf(sub: PeriodCarrier): { start: number; end: number } {
  const item = sub.items.data[0];
  const start = item?.current_period_start ?? sub.current_period_start;
  const end = item?.current_period_end ?? sub.current_period_end;
  if (start === undefined || end === undefined) throw new Error('subscription fixture has no billing period');
  return { start, end };
}

/** Renders the state's subscription again with some options changed, keeping every id and timestamp. */
export function rebuild<S extends PayloadShape>(
  state: SubscriptionState<S>,
  changes: SubscriptionOptions,
): Of<S, 'subscription'> {
  const sub = state.subscription;
  const item = sub.items.data[0];
  const period = periodOf(sub);
  const base: SubscriptionOptions = {
    id: sub.id,
    status: sub.status as SubscriptionOptions['status'],
    customerId: state.customerId,
    price: state.price,
    metadata: sub.metadata,
    quantity: item?.quantity ?? 1,
    currentPeriodStart: period.start,
    currentPeriodEnd: period.end,
    billingCycleAnchor: sub.billing_cycle_anchor,
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    canceledAt: sub.canceled_at,
    endedAt: sub.ended_at,
    latestInvoiceId: idOf(sub.latest_invoice),
    defaultPaymentMethodId: idOf(sub.default_payment_method),
    created: sub.created,
    livemode: state.livemode,
    shape: state.shape,
    ...(item && { itemId: item.id }),
    ...(state.shape === 'legacy' && item && { itemPeriods: 'current_period_end' in item }),
  };
  return buildSubscription({ ...base, ...changes }) as Of<S, 'subscription'>;
}

export interface Cycle<S extends PayloadShape> {
  /** When the old period ended and Stripe created the renewal invoice. */
  startedAt: number;
  invoiceId: string;
  periodStart: number;
  periodEnd: number;
  amount: number;
  subscription: Of<S, 'subscription'>;
}

/** Moves the clock to the end of the current period and renders the subscription one period on. */
export function startCycle<S extends PayloadShape>(
  state: SubscriptionState<S>,
  periodEnd?: number,
): Cycle<S> {
  const current = periodOf(state.subscription);
  const startedAt = state.clock.advanceTo(current.end);
  const invoiceId = newInvoiceId();
  const end = periodEnd ?? addMonths(current.end, state.price.recurring?.interval === 'year' ? 12 : 1);
  const subscription = rebuild(state, {
    currentPeriodStart: current.end,
    currentPeriodEnd: end,
    latestInvoiceId: invoiceId,
  });
  const quantity = state.subscription.items.data[0]?.quantity ?? 1;
  return {
    startedAt,
    invoiceId,
    periodStart: current.end,
    periodEnd: end,
    amount: (state.price.unit_amount ?? 0) * quantity,
    subscription,
  };
}

export interface InvoiceLinks {
  status: 'paid' | 'open';
  billingReason?: 'subscription_create' | 'subscription_cycle' | 'subscription_update';
  paymentIntentId: string;
  chargeId: string;
  nextPaymentAttempt?: number;
}

/** The invoice of one billing cycle (or of a plan change) for the state's subscription. */
export function subscriptionInvoice<S extends PayloadShape>(
  state: SubscriptionState<S>,
  cycle: Omit<Cycle<S>, 'subscription'>,
  links: InvoiceLinks,
): Of<S, 'invoice'> {
  const item = state.subscription.items.data[0];
  return buildInvoice({
    id: cycle.invoiceId,
    subscriptionId: state.subscription.id,
    ...(item && { subscriptionItemId: item.id }),
    customerId: state.customerId,
    customerEmail: state.email,
    billingReason: links.billingReason ?? 'subscription_cycle',
    price: state.price,
    productName: state.product.name,
    quantity: item?.quantity ?? 1,
    periodStart: cycle.periodStart,
    periodEnd: cycle.periodEnd,
    subscriptionMetadata: state.subscription.metadata,
    status: links.status,
    paymentIntentId: links.paymentIntentId,
    chargeId: links.chargeId,
    ...(links.nextPaymentAttempt !== undefined && { nextPaymentAttempt: links.nextPaymentAttempt }),
    created: cycle.startedAt,
    livemode: state.livemode,
    shape: state.shape,
  }) as Of<S, 'invoice'>;
}

export interface CardPaymentInput {
  customerId: string;
  email: string;
  amount: number;
  currency: string;
  /** When the charge succeeded; the PaymentIntent is created a second earlier. */
  at: number;
  livemode: boolean;
  invoiceId: string;
  description: string;
  /** Reuse a PaymentIntent, e.g. the one an invoice retry confirms again. */
  paymentIntentId?: string;
}

/** A succeeded card payment for an invoice: legacy renderings point back at the invoice, basil ones do not. */
export function cardPaymentFor<S extends PayloadShape>(
  shape: S,
  input: CardPaymentInput,
): { intent: Of<S, 'paymentIntent'>; charge: Of<S, 'charge'> } {
  const method = cardPaymentMethod({
    customerId: input.customerId,
    email: input.email,
    livemode: input.livemode,
    created: input.at,
  });
  const intent = buildPaymentIntent({
    ...(input.paymentIntentId !== undefined && { id: input.paymentIntentId }),
    amount: input.amount,
    currency: input.currency,
    customerId: input.customerId,
    description: input.description,
    paymentMethod: method,
    created: input.at - 1,
    livemode: input.livemode,
    shape,
    invoiceId: input.invoiceId,
  });
  const c = buildCharge({
    id: idOf(intent.latest_charge) ?? undefined,
    amount: input.amount,
    currency: input.currency,
    customerId: input.customerId,
    paymentIntentId: intent.id,
    paymentMethod: method,
    description: input.description,
    receiptEmail: input.email,
    created: input.at,
    livemode: input.livemode,
    shape,
    invoiceId: input.invoiceId,
  });
  return { intent: intent as Of<S, 'paymentIntent'>, charge: c as Of<S, 'charge'> };
}

/** The payment fields every renewal payment of the state's customer shares. */
export function renewalPaymentInput<S extends PayloadShape>(state: SubscriptionState<S>) {
  return {
    customerId: state.customerId,
    email: state.email,
    currency: state.price.currency,
    livemode: state.livemode,
    description: 'Subscription update',
  };
}

/** The state without the open invoice a failed renewal left behind. */
export function withoutOpenInvoice<S extends PayloadShape>(
  state: SubscriptionState<S>,
): SubscriptionState<S> {
  const { shape, clock, livemode, customerId, email, price, product, subscription } = state;
  return { shape, clock, livemode, customerId, email, price, product, subscription };
}
