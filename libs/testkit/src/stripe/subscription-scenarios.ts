/**
 * Subscription scenarios: the Checkout purchase and renewals. Failed renewals and their recovery are
 * in ./payment-failure-scenarios, plan changes and cancellations in ./subscription-changes.
 *
 * Each step takes the state the previous step returned, so customer, subscription, item, price and
 * invoice ids stay shared, and stamps its events from the same clock, so `created` increases along the
 * story. Shapes follow {@link CURRENT_API_VERSION} (`'basil'`) or 2025-02-24.acacia (`'legacy'`); the
 * field moves are documented in ./subscription and ./invoice. `previous_attributes` of every
 * `customer.subscription.updated` holds the old value of each changed top-level field, so a new basil
 * billing period shows up as the old `items` list and a legacy one also as the old
 * `current_period_start/end`.
 *
 * @see https://docs.stripe.com/billing/subscriptions/webhooks
 * @see https://docs.stripe.com/changelog/basil/2025-03-31/deprecate-subscription-current-period-start-and-end
 */
import { lineItem, lineItemList, price as buildPrice, product as buildProduct } from './catalog';
import { checkoutSession } from './checkout';
import { makeEvent, scenarioClock } from './events';
import type { StripeEventPayload, StripeEventType } from './events';
import { customerId as newCustomerId, invoiceId as newInvoiceId } from './ids';
import { addMonths, apiVersionFor } from './shape';
import type { CheckoutLineItem, List, PayloadShape } from './shape';
import { inOrder } from './scenario-types';
import type { AnyEvent, Of, PaymentState, ScenarioOptions, SubscriptionState } from './scenario-types';
import { subscription as buildSubscription } from './subscription';
import {
  cardPaymentFor,
  previousAttributes,
  renewalPaymentInput,
  startCycle,
  subscriptionInvoice,
  withoutOpenInvoice,
} from './subscription-steps';

/** An event whose object is the shape's rendering of `K`. */
export type ShapedEvent<
  S extends PayloadShape,
  K extends 'subscription' | 'invoice' | 'paymentIntent' | 'charge' | 'session',
  T extends StripeEventType,
> = StripeEventPayload<Of<S, K>, T>;

export interface SubscriptionPurchaseOptions<S extends PayloadShape> extends ScenarioOptions<S> {
  email?: string;
  priceId?: string;
  productId?: string;
  productName?: string;
  /** Written to the product and price metadata as `tier`, beside `sku`. */
  tier?: string;
  sku?: string;
  unitAmount?: number;
  interval?: 'month' | 'year';
  customerId?: string;
  clientReferenceId?: string | null;
  /** Checkout Session metadata. */
  metadata?: Record<string, string>;
  /** Subscription metadata (Checkout's `subscription_data.metadata`). */
  subscriptionMetadata?: Record<string, string>;
}

export interface SubscriptionPurchase<S extends PayloadShape> extends SubscriptionState<S>, PaymentState<S> {
  customerId: string;
  session: Of<S, 'session'>;
  /** The body of `GET /v1/checkout/sessions/:id/line_items`. */
  lineItems: List<CheckoutLineItem>;
  invoice: Of<S, 'invoice'>;
  events: {
    subscriptionCreated: ShapedEvent<S, 'subscription', 'customer.subscription.created'>;
    paymentIntentSucceeded: ShapedEvent<S, 'paymentIntent', 'payment_intent.succeeded'>;
    invoicePaid: ShapedEvent<S, 'invoice', 'invoice.paid'>;
    checkoutCompleted: ShapedEvent<S, 'session', 'checkout.session.completed'>;
  };
  ordered: AnyEvent[];
}

export function subscriptionPurchase<S extends PayloadShape = 'basil'>(
  opts: SubscriptionPurchaseOptions<S> = {},
): SubscriptionPurchase<S> {
  const shape = (opts.shape ?? 'basil') as S;
  const livemode = opts.livemode ?? false;
  const currency = opts.currency ?? 'usd';
  const email = opts.email ?? 'buyer@example.com';
  const tier = opts.tier ?? 'pro';
  const interval = opts.interval ?? 'month';
  const months = interval === 'year' ? 12 : 1;
  const catalogMetadata = {
    sku: opts.sku ?? `${tier.toUpperCase()}-${interval === 'year' ? '1Y' : '1M'}`,
    tier,
  };
  const clock = scenarioClock(opts.startAt);
  const customerId = opts.customerId ?? newCustomerId();
  const productName = opts.productName ?? `${tier.charAt(0).toUpperCase()}${tier.slice(1)} plan`;
  const product = buildProduct({
    ...(opts.productId !== undefined && { id: opts.productId }),
    name: productName,
    metadata: catalogMetadata,
    livemode,
  });
  const price = buildPrice({
    ...(opts.priceId !== undefined && { id: opts.priceId }),
    productId: product.id,
    unitAmount: opts.unitAmount ?? 1900 * months,
    currency,
    recurring: { interval },
    metadata: catalogMetadata,
    livemode,
  });
  product.default_price = price.id;

  const sessionCreated = clock.now();
  // Since basil, Checkout creates the subscription only once the first payment went through.
  const startedAt = clock.next(90);
  const periodEnd = addMonths(startedAt, months);
  const invoiceId = newInvoiceId();
  const sub = buildSubscription({
    customerId,
    price,
    metadata: opts.subscriptionMetadata ?? {},
    currentPeriodStart: startedAt,
    currentPeriodEnd: periodEnd,
    latestInvoiceId: invoiceId,
    created: startedAt,
    livemode,
    shape,
  });
  const amount = price.unit_amount ?? 0;
  const payment = cardPaymentFor(shape, {
    customerId,
    email,
    amount,
    currency,
    at: startedAt + 2,
    livemode,
    invoiceId,
    description: 'Subscription creation',
  });
  const state: SubscriptionState<S> = {
    shape,
    clock,
    livemode,
    customerId,
    email,
    price,
    product,
    subscription: sub as Of<S, 'subscription'>,
  };
  const firstInvoice = subscriptionInvoice(
    state,
    { startedAt, invoiceId, periodStart: startedAt, periodEnd, amount },
    {
      status: 'paid',
      billingReason: 'subscription_create',
      paymentIntentId: payment.intent.id,
      chargeId: payment.charge.id,
    },
  );
  const session = checkoutSession({
    mode: 'subscription',
    email,
    customerId,
    subscriptionId: sub.id,
    invoiceId,
    amountTotal: amount,
    currency,
    clientReferenceId: opts.clientReferenceId ?? null,
    metadata: opts.metadata ?? {},
    created: sessionCreated,
    livemode,
    shape,
  });

  const eventOpts = { apiVersion: apiVersionFor(shape), livemode, request: 'automatic' as const };
  const events = {
    subscriptionCreated: makeEvent('customer.subscription.created', state.subscription, {
      ...eventOpts,
      created: clock.next(3),
    }),
    paymentIntentSucceeded: makeEvent('payment_intent.succeeded', payment.intent, {
      ...eventOpts,
      created: clock.next(),
    }),
    invoicePaid: makeEvent('invoice.paid', firstInvoice, { ...eventOpts, created: clock.next() }),
    checkoutCompleted: makeEvent('checkout.session.completed', session as Of<S, 'session'>, {
      ...eventOpts,
      created: clock.next(),
    }),
  };
  return {
    ...state,
    session: session as Of<S, 'session'>,
    lineItems: lineItemList(session.id, [lineItem({ price, description: productName })]),
    invoice: firstInvoice,
    paymentIntent: payment.intent,
    charge: payment.charge,
    events,
    ordered: inOrder(events),
  };
}

export interface RenewalResult<S extends PayloadShape> extends SubscriptionState<S>, PaymentState<S> {
  customerId: string;
  invoice: Of<S, 'invoice'>;
  events: {
    subscriptionUpdated: ShapedEvent<S, 'subscription', 'customer.subscription.updated'>;
    paymentIntentSucceeded: ShapedEvent<S, 'paymentIntent', 'payment_intent.succeeded'>;
    invoicePaid: ShapedEvent<S, 'invoice', 'invoice.paid'>;
  };
  ordered: AnyEvent[];
}

/**
 * At the end of the period Stripe rolls the subscription over (`customer.subscription.updated`),
 * creates a `subscription_cycle` invoice and collects it about an hour later (`invoice.paid`).
 * `periodEnd` is the end of the new period (one interval later by default).
 */
export function renewal<S extends PayloadShape>(
  state: SubscriptionState<S>,
  opts: { periodEnd?: number } = {},
): RenewalResult<S> {
  const cycle = startCycle(state, opts.periodEnd);
  const paidAt = state.clock.next(60 * 60);
  const payment = cardPaymentFor(state.shape, {
    ...renewalPaymentInput(state),
    amount: cycle.amount,
    at: paidAt,
    invoiceId: cycle.invoiceId,
  });
  const inv = subscriptionInvoice(state, cycle, {
    status: 'paid',
    paymentIntentId: payment.intent.id,
    chargeId: payment.charge.id,
  });
  const eventOpts = {
    apiVersion: apiVersionFor(state.shape),
    livemode: state.livemode,
    request: 'automatic' as const,
  };
  const events = {
    subscriptionUpdated: makeEvent('customer.subscription.updated', cycle.subscription, {
      ...eventOpts,
      created: cycle.startedAt,
      previousAttributes: previousAttributes(state.subscription, cycle.subscription),
    }),
    paymentIntentSucceeded: makeEvent('payment_intent.succeeded', payment.intent, {
      ...eventOpts,
      created: state.clock.next(),
    }),
    invoicePaid: makeEvent('invoice.paid', inv, { ...eventOpts, created: state.clock.next() }),
  };
  return {
    ...withoutOpenInvoice(state),
    subscription: cycle.subscription,
    invoice: inv,
    paymentIntent: payment.intent,
    charge: payment.charge,
    events,
    ordered: inOrder(events),
  };
}
