import { signStripePayload } from '@billing/testkit';

/** Posts a Stripe event to the gateway as Stripe would: the exact JSON bytes, signed. */
export async function postStripeEvent(gatewayUrl: string, secret: string, event: unknown): Promise<number> {
  const body = JSON.stringify(event);
  const res = await fetch(`${gatewayUrl}/api/billing/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signStripePayload(body, secret) },
    body,
  });
  await res.text();
  return res.status;
}
