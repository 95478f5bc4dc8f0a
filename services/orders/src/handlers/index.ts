import type { ORDERS_STRIPE_EVENT_TYPES, StripeEventShape } from '@billing/contracts';
import { bindHandlers, type EventHandler, type Handler } from '@billing/runtime';
import { handleAsyncPaymentFailed } from './async-payment-failed.handler';
import { handleAsyncPaymentSucceeded } from './async-payment-succeeded.handler';
import { handleChargeRefunded } from './charge-refunded.handler';
import { handleCheckoutCompleted } from './checkout-completed.handler';
import type { OrdersHandlerDeps } from './deps';
import { handleInvoicePaid } from './invoice-paid.handler';
import { handlePaymentIntentFailed } from './payment-intent-failed.handler';
import { handlePaymentIntentSucceeded } from './payment-intent-succeeded.handler';
import { handleSubscriptionDeleted } from './subscription-deleted.handler';

/** One handler per Stripe event type in ORDERS_STRIPE_EVENT_TYPES. */
const HANDLERS = {
  'checkout.session.completed': handleCheckoutCompleted,
  'checkout.session.async_payment_succeeded': handleAsyncPaymentSucceeded,
  'checkout.session.async_payment_failed': handleAsyncPaymentFailed,
  'invoice.paid': handleInvoicePaid,
  'payment_intent.succeeded': handlePaymentIntentSucceeded,
  'payment_intent.payment_failed': handlePaymentIntentFailed,
  'customer.subscription.deleted': handleSubscriptionDeleted,
  'charge.refunded': handleChargeRefunded,
} satisfies Record<
  (typeof ORDERS_STRIPE_EVENT_TYPES)[number],
  EventHandler<StripeEventShape, OrdersHandlerDeps>
>;

/**
 * Handlers by Stripe event type, bound to their dependencies. A Stripe API failure or a contended
 * stock ledger is a TransientError: "try again later", the runner naks with backoff and parks
 * after the last delay.
 */
export function stripeHandlers(deps: OrdersHandlerDeps): Record<string, Handler<StripeEventShape>> {
  return bindHandlers(HANDLERS, deps);
}
