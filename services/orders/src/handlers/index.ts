import type { ORDERS_STRIPE_EVENT_TYPES, StripeEventShape } from '@billing/contracts';
import { retry, type Handler, type HandlerContext, type Outcome } from '@billing/runtime';
import { StockContentionError, StripeApiError } from '../errors';
import { handleAsyncPaymentFailed } from './async-payment-failed.handler';
import { handleAsyncPaymentSucceeded } from './async-payment-succeeded.handler';
import { handleChargeRefunded } from './charge-refunded.handler';
import { handleCheckoutCompleted } from './checkout-completed.handler';
import type { OrdersHandlerDeps } from './deps';
import { handleInvoicePaid } from './invoice-paid.handler';
import { handlePaymentIntentFailed } from './payment-intent-failed.handler';
import { handlePaymentIntentSucceeded } from './payment-intent-succeeded.handler';
import { handleSubscriptionDeleted } from './subscription-deleted.handler';

type OrdersHandler = (
  event: StripeEventShape,
  deps: OrdersHandlerDeps,
  ctx: HandlerContext,
) => Promise<Outcome>;

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
} satisfies Record<(typeof ORDERS_STRIPE_EVENT_TYPES)[number], OrdersHandler>;

/**
 * Handlers by Stripe event type, bound to their dependencies. A Stripe API failure or a contended
 * stock ledger is "try again later": the runner naks with backoff and parks after the last delay.
 */
export function stripeHandlers(deps: OrdersHandlerDeps): Record<string, Handler<StripeEventShape>> {
  const bound: Record<string, Handler<StripeEventShape>> = {};
  for (const [type, handler] of Object.entries(HANDLERS)) {
    bound[type] = async (event, ctx) => {
      try {
        return await handler(event, deps, ctx);
      } catch (err) {
        if (err instanceof StripeApiError || err instanceof StockContentionError) return retry(err.message);
        throw err;
      }
    };
  }
  return bound;
}
