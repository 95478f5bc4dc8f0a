import Stripe from 'stripe';

const stripe = new Stripe('sk_test_unused');

/** A `Stripe-Signature` header for `payload`, made with the official package. */
export function signStripePayload(payload: string, secret: string, timestamp?: number): string {
  return stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp === undefined ? {} : { timestamp }),
  });
}

export function newWebhookSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64')}`;
}
