/**
 * One-time purchase scenarios: a paid Checkout Session and a delayed (async) payment. Refunds of any
 * payment are in ./refund-scenarios.
 *
 * Shapes follow {@link CURRENT_API_VERSION} (`'basil'`) or 2025-02-24.acacia (`'legacy'`); see ./shape.
 * Every step stamps its events from one {@link ScenarioClock}, in the order Stripe raises them
 * (charge, then payment intent, then Checkout), so `created` increases strictly along the story.
 *
 * @see https://docs.stripe.com/checkout/fulfillment
 * @see https://docs.stripe.com/payments/checkout/async-payment-methods
 */
import { lineItem, lineItemList, price as buildPrice, product as buildProduct } from './catalog';
import { charge as buildCharge } from './charge';
import { checkoutSession } from './checkout';
import { makeEvent, scenarioClock } from './events';
import type { StripeEventPayload } from './events';
import { customerId as newCustomerId, paymentMethodId } from './ids';
import { cardPaymentMethod, paymentIntent as buildPaymentIntent } from './payment-intent';
import { apiVersionFor, idOf } from './shape';
import type { CheckoutLineItem, List, PayloadShape, Price, Product } from './shape';
import { inOrder } from './scenario-types';
import type { AnyEvent, Of, PaymentState, ScenarioOptions } from './scenario-types';

export interface PurchaseLine {
  priceId?: string;
  productId?: string;
  productName?: string;
  quantity?: number;
  unitAmount?: number;
  /** Copied to the product and price metadata, e.g. `{ sku: 'PRO-1Y', tier: 'pro' }`. */
  metadata?: Record<string, string>;
}

export interface OneTimePurchaseOptions<S extends PayloadShape> extends ScenarioOptions<S> {
  email?: string;
  lines?: PurchaseLine[];
  /** `null` for a guest checkout that created no customer. */
  customerId?: string | null;
  clientReferenceId?: string | null;
  metadata?: Record<string, string>;
  /** Include `charge.succeeded` (default true). */
  includeCharge?: boolean;
}

export interface OneTimePurchase<S extends PayloadShape> extends PaymentState<S> {
  email: string;
  session: Of<S, 'session'>;
  /** The body of `GET /v1/checkout/sessions/:id/line_items`. */
  lineItems: List<CheckoutLineItem>;
  prices: Price[];
  products: Product[];
  events: {
    chargeSucceeded?: StripeEventPayload<Of<S, 'charge'>, 'charge.succeeded'>;
    paymentIntentSucceeded: StripeEventPayload<Of<S, 'paymentIntent'>, 'payment_intent.succeeded'>;
    checkoutCompleted: StripeEventPayload<Of<S, 'session'>, 'checkout.session.completed'>;
  };
  ordered: AnyEvent[];
}

interface Catalog {
  prices: Price[];
  products: Product[];
  items: CheckoutLineItem[];
  total: number;
}

function catalogFor(lines: PurchaseLine[], currency: string, livemode: boolean): Catalog {
  const catalog: Catalog = { prices: [], products: [], items: [], total: 0 };
  for (const line of lines) {
    const name = line.productName ?? 'Pro license';
    const prod = buildProduct({
      ...(line.productId !== undefined && { id: line.productId }),
      name,
      metadata: line.metadata ?? {},
      livemode,
    });
    const p = buildPrice({
      ...(line.priceId !== undefined && { id: line.priceId }),
      productId: prod.id,
      unitAmount: line.unitAmount ?? 4900,
      currency,
      recurring: null,
      metadata: line.metadata ?? {},
      livemode,
    });
    prod.default_price = p.id;
    const item = lineItem({ price: p, quantity: line.quantity ?? 1, description: name });
    catalog.prices.push(p);
    catalog.products.push(prod);
    catalog.items.push(item);
    catalog.total += item.amount_total;
  }
  return catalog;
}

export function oneTimePurchase<S extends PayloadShape = 'basil'>(
  opts: OneTimePurchaseOptions<S> = {},
): OneTimePurchase<S> {
  const shape = (opts.shape ?? 'basil') as S;
  const apiVersion = apiVersionFor(shape);
  const livemode = opts.livemode ?? false;
  const currency = opts.currency ?? 'usd';
  const email = opts.email ?? 'buyer@example.com';
  const clock = scenarioClock(opts.startAt);
  const customerId = opts.customerId === undefined ? newCustomerId() : opts.customerId;
  const catalog = catalogFor(opts.lines ?? [{}], currency, livemode);

  const sessionCreated = clock.now();
  const paidAt = clock.next(90);
  const paymentMethod = cardPaymentMethod({ customerId, email, livemode, created: paidAt - 1 });
  const intent = buildPaymentIntent({
    amount: catalog.total,
    currency,
    customerId,
    paymentMethod,
    created: paidAt - 1,
    livemode,
    shape,
  });
  const paidCharge = buildCharge({
    id: idOf(intent.latest_charge) ?? undefined,
    amount: catalog.total,
    currency,
    customerId,
    paymentIntentId: intent.id,
    paymentMethod,
    receiptEmail: email,
    created: paidAt,
    livemode,
    shape,
  });
  const session = checkoutSession({
    mode: 'payment',
    email,
    customerId,
    paymentIntentId: intent.id,
    amountTotal: catalog.total,
    currency,
    clientReferenceId: opts.clientReferenceId ?? null,
    metadata: opts.metadata ?? {},
    created: sessionCreated,
    livemode,
    shape,
  });

  const eventOpts = { apiVersion, livemode };
  const chargeSucceeded =
    opts.includeCharge === false
      ? undefined
      : makeEvent('charge.succeeded', paidCharge, { ...eventOpts, created: clock.next() });
  const paymentIntentSucceeded = makeEvent('payment_intent.succeeded', intent, {
    ...eventOpts,
    created: clock.next(),
  });
  const checkoutCompleted = makeEvent('checkout.session.completed', session, {
    ...eventOpts,
    created: clock.next(),
    request: 'automatic',
  });
  const events = { ...(chargeSucceeded && { chargeSucceeded }), paymentIntentSucceeded, checkoutCompleted };
  return {
    shape,
    clock,
    livemode,
    email,
    customerId,
    session: session as Of<S, 'session'>,
    lineItems: lineItemList(session.id, catalog.items),
    prices: catalog.prices,
    products: catalog.products,
    paymentIntent: intent as Of<S, 'paymentIntent'>,
    charge: paidCharge as Of<S, 'charge'>,
    events: events as OneTimePurchase<S>['events'],
    ordered: inOrder(events),
  };
}

export interface AsyncPaymentOptions<S extends PayloadShape> extends OneTimePurchaseOptions<S> {
  outcome?: 'succeeded' | 'failed';
}

export interface AsyncPayment<S extends PayloadShape> {
  shape: S;
  email: string;
  customerId: string | null;
  /** The session as `checkout.session.completed` carried it (`payment_status: 'unpaid'`). */
  session: Of<S, 'session'>;
  lineItems: List<CheckoutLineItem>;
  prices: Price[];
  products: Product[];
  /** The PaymentIntent after the bank settled or failed. */
  paymentIntent: Of<S, 'paymentIntent'>;
  events: {
    checkoutCompleted: StripeEventPayload<Of<S, 'session'>, 'checkout.session.completed'>;
    asyncPaymentSucceeded?: StripeEventPayload<Of<S, 'session'>, 'checkout.session.async_payment_succeeded'>;
    asyncPaymentFailed?: StripeEventPayload<Of<S, 'session'>, 'checkout.session.async_payment_failed'>;
  };
  ordered: AnyEvent[];
}

/**
 * A bank debit (ACH here) paid through Checkout: the session completes `unpaid`, and days later
 * Stripe sends `checkout.session.async_payment_succeeded` (now `paid`) or `_failed` (still `unpaid`).
 */
export function asyncPayment<S extends PayloadShape = 'basil'>(
  opts: AsyncPaymentOptions<S> = {},
): AsyncPayment<S> {
  const shape = (opts.shape ?? 'basil') as S;
  const apiVersion = apiVersionFor(shape);
  const livemode = opts.livemode ?? false;
  const currency = opts.currency ?? 'usd';
  const email = opts.email ?? 'buyer@example.com';
  const outcome = opts.outcome ?? 'succeeded';
  const clock = scenarioClock(opts.startAt);
  const customerId = opts.customerId === undefined ? newCustomerId() : opts.customerId;
  const catalog = catalogFor(opts.lines ?? [{}], currency, livemode);
  const sessionCreated = clock.now();
  const submittedAt = clock.next(90);
  const intentBase = {
    amount: catalog.total,
    currency,
    customerId,
    created: submittedAt,
    livemode,
    shape,
    paymentMethodId: paymentMethodId(),
    paymentMethodTypes: ['card', 'us_bank_account'],
  };
  const pending = buildPaymentIntent({ ...intentBase, status: 'processing' });
  const sessionBase = {
    mode: 'payment' as const,
    email,
    customerId,
    paymentIntentId: pending.id,
    paymentMethodTypes: ['card', 'us_bank_account'],
    amountTotal: catalog.total,
    currency,
    clientReferenceId: opts.clientReferenceId ?? null,
    metadata: opts.metadata ?? {},
    created: sessionCreated,
    livemode,
    shape,
  };
  const unpaid = checkoutSession({ ...sessionBase, paymentStatus: 'unpaid' });
  const eventOpts = { apiVersion, livemode, request: 'automatic' as const };
  const checkoutCompleted = makeEvent('checkout.session.completed', unpaid, {
    ...eventOpts,
    created: clock.next(),
  });

  const settledAt = clock.next(3 * 24 * 60 * 60);
  const settledIntent = buildPaymentIntent({
    ...intentBase,
    id: pending.id,
    latestChargeId: idOf(pending.latest_charge),
    status: outcome === 'succeeded' ? 'succeeded' : 'requires_payment_method',
    ...(outcome === 'failed' && {
      lastPaymentError: {
        charge: idOf(pending.latest_charge) ?? undefined,
        code: 'insufficient_funds',
        message: "The customer's account has insufficient funds to cover this payment.",
        payment_method_type: 'us_bank_account',
        type: 'card_error',
      },
    }),
  });
  const events: AsyncPayment<S>['events'] = { checkoutCompleted } as AsyncPayment<S>['events'];
  if (outcome === 'succeeded') {
    const paid = { ...unpaid, payment_status: 'paid' as const };
    events.asyncPaymentSucceeded = makeEvent('checkout.session.async_payment_succeeded', paid, {
      ...eventOpts,
      created: settledAt,
    }) as AsyncPayment<S>['events']['asyncPaymentSucceeded'];
  } else {
    events.asyncPaymentFailed = makeEvent('checkout.session.async_payment_failed', unpaid, {
      ...eventOpts,
      created: settledAt,
    }) as AsyncPayment<S>['events']['asyncPaymentFailed'];
  }
  return {
    shape,
    email,
    customerId,
    session: unpaid as Of<S, 'session'>,
    lineItems: lineItemList(unpaid.id, catalog.items),
    prices: catalog.prices,
    products: catalog.products,
    paymentIntent: settledIntent as Of<S, 'paymentIntent'>,
    events,
    ordered: inOrder(events),
  };
}
