import type { StripeEventShape } from '@billing/contracts';

/** The Stripe object of an event, read as the given wire shape (see stripe-objects.ts). */
export function objectOf<T>(event: StripeEventShape): T {
  return event.data.object as unknown as T;
}

/** Stripe's `created` of the event. */
export function eventTime(event: StripeEventShape): Date {
  return new Date(event.created * 1000);
}
