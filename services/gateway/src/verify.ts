import Stripe from 'stripe';
import { isThinEvent, stripeEventValidator, type StripeEventShape } from '@billing/contracts';
import { BadRequestError } from '@billing/runtime';

// Only the webhook helpers are used; no API call is ever made with this client.
const stripe = new Stripe('sk_unused_for_webhook_verification');

const HEADER_PART = /^(t|v\d+)=[^,=\s]+$/;

/**
 * Checks the `Stripe-Signature` header against the exact bytes received, with each configured
 * secret in turn (several while a secret is being rolled), then parses the event.
 * @see https://docs.stripe.com/webhooks#verify-manually
 */
export async function verifyStripeEvent(
  rawBody: Buffer,
  header: string | string[] | undefined,
  secrets: readonly string[],
  toleranceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<StripeEventShape> {
  if (header === undefined || header === '') {
    throw new BadRequestError('Stripe-Signature header is missing', 'missing_signature');
  }
  if (Array.isArray(header)) {
    throw new BadRequestError('Stripe-Signature header is given more than once', 'malformed_signature');
  }
  const timestamp = parseTimestamp(header);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    throw new BadRequestError(
      `signature timestamp is outside the ${toleranceSeconds} s tolerance`,
      'timestamp_out_of_tolerance',
    );
  }

  let event: unknown;
  for (const secret of secrets) {
    try {
      event = await stripe.webhooks.constructEventAsync(rawBody, header, secret, toleranceSeconds);
      break;
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) continue;
      // The signature matched but stripe-node refused the body: not JSON, or a thin event.
      if (isThinEvent(parseOrUndefined(rawBody))) throw unsupportedThinEvent();
      throw new BadRequestError('body is not a JSON Stripe event', 'invalid_event', { cause: err });
    }
  }
  if (event === undefined) {
    throw new BadRequestError(
      'no signature matches the payload for any configured secret',
      'signature_mismatch',
    );
  }
  if (isThinEvent(event)) throw unsupportedThinEvent();
  if (!stripeEventValidator.check(event)) {
    throw new BadRequestError(
      `body is not a Stripe event: ${stripeEventValidator.explain(event)}`,
      'invalid_event',
    );
  }
  return event;
}

function parseTimestamp(header: string): number {
  const parts = header.split(',').map((p) => p.trim());
  const valid = parts.length > 0 && parts.every((p) => HEADER_PART.test(p));
  const t = parts.find((p) => p.startsWith('t='))?.slice(2);
  const hasV1 = parts.some((p) => p.startsWith('v1='));
  if (!valid || !t || !/^\d+$/.test(t) || !hasV1) {
    throw new BadRequestError(
      'Stripe-Signature header is malformed (expected t=<timestamp>,v1=<signature>)',
      'malformed_signature',
    );
  }
  return Number(t);
}

function unsupportedThinEvent(): BadRequestError {
  return new BadRequestError(
    'Stripe v2 thin event notifications are not supported yet; send snapshot events',
    'unsupported_event',
  );
}

function parseOrUndefined(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
