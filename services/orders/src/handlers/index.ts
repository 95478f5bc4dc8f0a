import { ORDERS_STRIPE_EVENT_TYPES, type StripeEventShape } from '@billing/contracts';
import { skipped, type Handler } from '@billing/runtime';

/** Handlers by Stripe event type. */
export function stripeHandlers(): Record<string, Handler<StripeEventShape>> {
  const handlers: Record<string, Handler<StripeEventShape>> = {};
  for (const type of ORDERS_STRIPE_EVENT_TYPES) {
    handlers[type] = async (event, ctx) => {
      ctx.logger.info({ eventType: event.type, created: event.created }, 'stripe event received');
      return skipped('not applied yet');
    };
  }
  return handlers;
}
