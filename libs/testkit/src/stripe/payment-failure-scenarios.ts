/**
 * Failed renewals and recoveries: a declined renewal charge, the move to `past_due`, and the retry
 * that pays the open invoice and makes the subscription `active` again.
 *
 * Shapes follow {@link CURRENT_API_VERSION} (`'basil'`) or 2025-02-24.acacia (`'legacy'`). In basil
 * the failed invoice and PaymentIntent do not reference each other (see ./invoice-payment); legacy
 * renderings carry `invoice.payment_intent`, `invoice.charge` and `payment_intent.invoice`.
 *
 * @see https://docs.stripe.com/billing/subscriptions/overview#failed-payments
 * @see https://docs.stripe.com/declines/codes
 */
import { charge as buildCharge } from './charge';
import { makeEvent } from './events';
import { paymentIntentId as newPaymentIntentId } from './ids';
import { cardPaymentMethod, paymentIntent as buildPaymentIntent } from './payment-intent';
import { DAY, apiVersionFor } from './shape';
import type { PayloadShape } from './shape';
import { inOrder } from './scenario-types';
import type { AnyEvent, Of, PaymentState, SubscriptionState } from './scenario-types';
import type { ShapedEvent } from './subscription-scenarios';
import {
  cardPaymentFor,
  previousAttributes,
  rebuild,
  renewalPaymentInput,
  startCycle,
  subscriptionInvoice,
  withoutOpenInvoice,
} from './subscription-steps';

export interface PaymentFailedResult<S extends PayloadShape> extends SubscriptionState<S> {
  openInvoice: Of<S, 'invoice'>;
  openPaymentIntentId: string;
  paymentIntent: Of<S, 'paymentIntent'>;
  events: {
    paymentIntentPaymentFailed: ShapedEvent<S, 'paymentIntent', 'payment_intent.payment_failed'>;
    invoicePaymentFailed: ShapedEvent<S, 'invoice', 'invoice.payment_failed'>;
  };
  ordered: AnyEvent[];
}

/**
 * The renewal charge is declined (insufficient funds): the period still rolls over, the new invoice
 * stays `open` with a retry scheduled, and the PaymentIntent waits for a new payment method.
 */
export function paymentFailed<S extends PayloadShape>(
  state: SubscriptionState<S>,
  opts: { periodEnd?: number } = {},
): PaymentFailedResult<S> {
  const cycle = startCycle(state, opts.periodEnd);
  const failedAt = state.clock.next(60 * 60);
  const currency = state.price.currency;
  const livemode = state.livemode;
  const intentId = newPaymentIntentId();
  const method = cardPaymentMethod({
    customerId: state.customerId,
    email: state.email,
    last4: '9995',
    livemode,
    created: failedAt,
  });
  const common = {
    amount: cycle.amount,
    currency,
    customerId: state.customerId,
    paymentMethod: method,
    description: 'Subscription update',
    livemode,
    shape: state.shape,
    invoiceId: cycle.invoiceId,
  };
  const failedCharge = buildCharge({
    ...common,
    status: 'failed',
    paymentIntentId: intentId,
    created: failedAt,
  });
  const intent = buildPaymentIntent({
    ...common,
    id: intentId,
    latestChargeId: failedCharge.id,
    lastPaymentError: true,
    created: failedAt - 1,
  });
  const inv = subscriptionInvoice(state, cycle, {
    status: 'open',
    paymentIntentId: intent.id,
    chargeId: failedCharge.id,
    nextPaymentAttempt: failedAt + 3 * DAY,
  });
  const eventOpts = { apiVersion: apiVersionFor(state.shape), livemode, request: 'automatic' as const };
  const events = {
    paymentIntentPaymentFailed: makeEvent('payment_intent.payment_failed', intent as Of<S, 'paymentIntent'>, {
      ...eventOpts,
      created: state.clock.next(),
    }),
    invoicePaymentFailed: makeEvent('invoice.payment_failed', inv, {
      ...eventOpts,
      created: state.clock.next(),
    }),
  };
  return {
    ...state,
    subscription: cycle.subscription,
    openInvoice: inv,
    openPaymentIntentId: intent.id,
    paymentIntent: intent as Of<S, 'paymentIntent'>,
    events,
    ordered: inOrder(events),
  };
}

export interface PastDueResult<S extends PayloadShape> extends Omit<PaymentFailedResult<S>, 'events'> {
  events: PaymentFailedResult<S>['events'] & {
    subscriptionUpdated: ShapedEvent<S, 'subscription', 'customer.subscription.updated'>;
  };
}

/** A declined renewal ({@link paymentFailed}) that moves the subscription from `active` to `past_due`. */
export function pastDue<S extends PayloadShape>(
  state: SubscriptionState<S>,
  opts: { periodEnd?: number } = {},
): PastDueResult<S> {
  const failed = paymentFailed(state, opts);
  const next = rebuild(failed, { status: 'past_due' });
  const subscriptionUpdated = makeEvent('customer.subscription.updated', next, {
    apiVersion: apiVersionFor(state.shape),
    livemode: state.livemode,
    request: 'automatic',
    created: state.clock.next(),
    previousAttributes: previousAttributes(failed.subscription, next),
  });
  const events = { ...failed.events, subscriptionUpdated };
  return { ...failed, subscription: next, events, ordered: inOrder(events) };
}

export interface ReactivatedResult<S extends PayloadShape> extends SubscriptionState<S>, PaymentState<S> {
  customerId: string;
  invoice: Of<S, 'invoice'>;
  events: {
    paymentIntentSucceeded: ShapedEvent<S, 'paymentIntent', 'payment_intent.succeeded'>;
    invoicePaid: ShapedEvent<S, 'invoice', 'invoice.paid'>;
    subscriptionUpdated: ShapedEvent<S, 'subscription', 'customer.subscription.updated'>;
  };
  ordered: AnyEvent[];
}

/** A retry three days later pays the open invoice; the subscription goes back to `active`. */
export function reactivated<S extends PayloadShape>(state: SubscriptionState<S>): ReactivatedResult<S> {
  const open = state.openInvoice;
  if (!open) throw new Error('reactivated() needs the state returned by pastDue() or paymentFailed()');
  const paidAt = state.clock.next(3 * DAY);
  const payment = cardPaymentFor(state.shape, {
    ...renewalPaymentInput(state),
    amount: open.amount_due,
    at: paidAt,
    invoiceId: open.id,
    ...(state.openPaymentIntentId !== undefined && { paymentIntentId: state.openPaymentIntentId }),
  });
  const paidInvoice = {
    ...open,
    status: 'paid',
    amount_paid: open.amount_due,
    amount_remaining: 0,
    attempt_count: open.attempt_count + 1,
    auto_advance: false,
    next_payment_attempt: null,
    status_transitions: { ...open.status_transitions, paid_at: paidAt },
    ...(state.shape === 'legacy' && { paid: true, charge: payment.charge.id }),
  } as Of<S, 'invoice'>;
  const next = rebuild(state, { status: 'active' });
  const eventOpts = {
    apiVersion: apiVersionFor(state.shape),
    livemode: state.livemode,
    request: 'automatic' as const,
  };
  const events = {
    paymentIntentSucceeded: makeEvent('payment_intent.succeeded', payment.intent, {
      ...eventOpts,
      created: state.clock.next(),
    }),
    invoicePaid: makeEvent('invoice.paid', paidInvoice, { ...eventOpts, created: state.clock.next() }),
    subscriptionUpdated: makeEvent('customer.subscription.updated', next, {
      ...eventOpts,
      created: state.clock.next(),
      previousAttributes: previousAttributes(state.subscription, next),
    }),
  };
  return {
    ...withoutOpenInvoice(state),
    subscription: next,
    invoice: paidInvoice,
    paymentIntent: payment.intent,
    charge: payment.charge,
    events,
    ordered: inOrder(events),
  };
}
