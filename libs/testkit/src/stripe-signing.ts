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

/** Posts a Stripe event to the gateway as Stripe would: the exact JSON bytes, signed. */
export async function postStripeEvent(
  gatewayUrl: string,
  secret: string,
  event: unknown,
  path = '/api/billing/webhooks',
): Promise<number> {
  const body = JSON.stringify(event);
  const res = await fetch(`${gatewayUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signStripePayload(body, secret) },
    body,
  });
  await res.text();
  return res.status;
}
