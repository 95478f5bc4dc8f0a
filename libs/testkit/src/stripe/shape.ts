/**
 * API versions and payload shapes the Stripe fixtures follow.
 *
 * Stripe renders an event's `data.object` in the API version of the webhook endpoint (or the account
 * default) at the moment the event is created, so one backend can receive two shapes at once:
 *
 * - `'basil'`: objects as {@link CURRENT_API_VERSION} (the version stripe-node 23.1.0 pins) renders
 *   them. That carries every move of 2025-03-31.basil: the invoice's subscription sits at
 *   `invoice.parent.subscription_details.subscription`, invoice lines carry `parent` and `pricing`,
 *   `current_period_start/end` live on subscription items, and invoices, charges and payment intents
 *   no longer point at each other. Later releases (clover, dahlia, endive) only added fields and
 *   renamed a few enum values, e.g. Checkout's `ui_mode` `hosted` became `hosted_page` in dahlia.
 * - `'legacy'`: {@link LEGACY_API_VERSION} (2025-02-24.acacia) and earlier, which accounts and
 *   endpoints pinned to those versions still receive.
 *
 * The builders type `'basil'` objects as {@link Wire} versions of stripe-node's own interfaces, so a
 * required field that a later stripe-node adds or removes shows up here as a compile error.
 *
 * @see https://docs.stripe.com/changelog/basil
 * @see https://docs.stripe.com/webhooks/versioning
 */
import { STRIPE_API_VERSION } from '@billing/contracts';
import type Stripe from 'stripe';

/**
 * The version the services speak and the webhook endpoint is registered with (`STRIPE_API_VERSION`
 * in contracts, stripe-node 23.1.0's `Stripe.API_VERSION`); the type fails to compile after an SDK bump.
 */
export const CURRENT_API_VERSION: Stripe.LatestApiVersion = STRIPE_API_VERSION;

/** The last version before the basil breaking changes. */
export const LEGACY_API_VERSION = '2025-02-24.acacia';

export type PayloadShape = 'basil' | 'legacy';

export function apiVersionFor(shape: PayloadShape): string {
  return shape === 'basil' ? CURRENT_API_VERSION : LEGACY_API_VERSION;
}

/**
 * An object as it travels in a webhook body. stripe-node types `decimal_string` fields as
 * `Stripe.Decimal`, but `webhooks.constructEvent` only parses JSON, so on the wire and after parsing
 * they are plain strings such as `"2000"`.
 *
 * @see https://github.com/stripe/stripe-node/pull/2617
 */
export type Wire<T> = T extends Stripe.Decimal
  ? string
  : T extends string | number | boolean | bigint | symbol | null | undefined
    ? T
    : T extends ReadonlyArray<infer U>
      ? Array<Wire<U>>
      : T extends object
        ? { [K in keyof T]: Wire<T[K]> }
        : T;

export type Price = Wire<Stripe.Price>;
export type Product = Wire<Stripe.Product>;
export type Plan = Wire<Stripe.Plan>;
export type CheckoutLineItem = Wire<Stripe.LineItem>;
export type CheckoutSession = Wire<Stripe.Checkout.Session>;
export type Subscription = Wire<Stripe.Subscription>;
export type SubscriptionItem = Wire<Stripe.SubscriptionItem>;
export type Invoice = Wire<Stripe.Invoice>;
export type InvoiceLineItem = Wire<Stripe.InvoiceLineItem>;
export type InvoicePayment = Wire<Stripe.InvoicePayment>;
export type PaymentIntent = Wire<Stripe.PaymentIntent>;
export type PaymentMethod = Wire<Stripe.PaymentMethod>;
export type Charge = Wire<Stripe.Charge>;
export type Refund = Wire<Stripe.Refund>;

export interface List<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export function list<T>(data: T[], url: string): List<T> {
  return { object: 'list', data, has_more: false, url };
}

/** The id of an expandable field, whether Stripe sent the id or the expanded object. */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}

/** A copy without the given keys: how the legacy renderers drop fields basil added. */
export function omit<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Omit<T, K> {
  const copy: Partial<T> = { ...obj };
  for (const key of keys) delete copy[key];
  return copy as Omit<T, K>;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export const DAY = 24 * 60 * 60;

/** One calendar month later in UTC, the way Stripe advances a monthly billing period. */
export function addMonths(unixSeconds: number, months: number): number {
  const date = new Date(unixSeconds * 1000);
  date.setUTCMonth(date.getUTCMonth() + months);
  return Math.floor(date.getTime() / 1000);
}

export const EMPTY_ADDRESS: Stripe.Address = {
  city: null,
  country: null,
  line1: null,
  line2: null,
  postal_code: null,
  state: null,
};
