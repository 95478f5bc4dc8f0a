import { billingAccountOf, type StripeEventShape } from '@billing/contracts';
import type { HandlerContext } from '@billing/runtime';

/** The Stripe object of an event, read as the given wire shape (see stripe-objects.ts). */
export function objectOf<T>(event: StripeEventShape): T {
  return event.data.object as unknown as T;
}

/** Stripe's `created` of the event. */
export function eventTime(event: StripeEventShape): Date {
  return new Date(event.created * 1000);
}

/**
 * Where an event happened: `account`, the label of the Stripe account whose endpoint received it
 * (the gateway's Billing-Account header; absent: the default account), and `stripeAccount`, the
 * Connect account of `event.account` (null: the platform's own event). Stripe API calls about the
 * event use the account's key and, for a Connect event, its `Stripe-Account` header.
 */
export interface StripeScope {
  account: string;
  stripeAccount: string | null;
}

export function scopeOf(event: StripeEventShape, ctx: Pick<HandlerContext, 'headers'>): StripeScope {
  return { account: billingAccountOf(ctx.headers), stripeAccount: event.account ?? null };
}
