/**
 * Stripe-looking object ids, unique per call.
 *
 * Stripe ids are a type prefix plus base62 characters. Object ids created by the charge path
 * (`pi_`, `ch_`, `re_`, their events) start with `3`, most others with `1`; short ids such as
 * `cus_` and `si_` have 14 characters. Id formats did not change across API versions, so these helpers
 * serve both payload shapes.
 *
 * @see https://docs.stripe.com/api/object-ids
 */
import { randomBytes, randomUUID } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random base62 text of the given length, without modulo bias. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 62 * 4: bytes above it would favour the first characters.
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

const long =
  (prefix: string, lead = '1') =>
  (): string =>
    `${prefix}${lead}${randomBase62(23)}`;
const short = (prefix: string) => (): string => `${prefix}${randomBase62(14)}`;

export const eventId = long('evt_');
export const subscriptionId = long('sub_');
export const invoiceId = long('in_');
export const paymentIntentId = long('pi_', '3');
export const chargeId = long('ch_', '3');
export const refundId = long('re_', '3');
export const priceId = long('price_');
export const invoiceLineItemId = long('il_');
export const checkoutLineItemId = long('li_');
export const invoicePaymentId = long('inpay_');
export const paymentMethodId = long('pm_');
export const balanceTransactionId = long('txn_', '3');
export const paymentMethodConfigurationId = long('pmc_');
export const customerId = short('cus_');
export const productId = short('prod_');
export const subscriptionItemId = short('si_');
export const requestId = short('req_');

/** `cs_test_a1…` / `cs_live_a1…`: Checkout Session ids carry the mode and 58 characters. */
export function checkoutSessionId(livemode = false): string {
  return `cs_${livemode ? 'live' : 'test'}_a1${randomBase62(56)}`;
}

/** Card fingerprints are 16 base62 characters and stable per card number. */
export const cardFingerprint = (): string => randomBase62(16);

/** The `Idempotency-Key` stripe-node sends on a POST when the caller does not set one. */
export const idempotencyKey = (): string => `stripe-node-retry-${randomUUID()}`;
