import Stripe from 'stripe';
import {
  isThinEvent,
  stripeEventValidator,
  stripeV2EventValidator,
  type StripeEventShape,
  type StripeV2EventShape,
} from '@billing/contracts';
import { BadRequestError } from '@billing/runtime';

// Only the webhook helpers are used; no API call is ever made with this client.
const stripe = new Stripe('sk_unused_for_webhook_verification');
// The signature check constructEventAsync runs, without its second parse of the body.
const signatures = (() => {
  const helper = stripe.webhooks.signature;
  if (!helper) throw new Error('the stripe package has no webhook signature helper');
  return helper;
})();

const HEADER_PART = /^(t|v\d+)=[^,=\s]+$/;

export interface VerifyOptions {
  /** Secrets of the snapshot webhook endpoints. */
  secrets: readonly string[];
  /** Secrets of the event destinations with thin payloads; empty: thin events are refused. */
  thinSecrets: readonly string[];
  toleranceSeconds: number;
}

export type VerifiedWebhook =
  { kind: 'snapshot'; event: StripeEventShape } | { kind: 'thin'; notification: StripeV2EventShape };

/**
 * Checks the `Stripe-Signature` header against the exact bytes received, then parses the body:
 * a snapshot event (`object: "event"`) with the webhook secrets, a thin event notification
 * (`object: "v2.core.event"`) with the thin secrets. Each kind has its own secrets, as each
 * Stripe destination signs with its own.
 * @see https://docs.stripe.com/webhooks#verify-manually
 * @see https://docs.stripe.com/event-destinations#thin-events
 */
export async function verifyStripeWebhook(
  rawBody: Buffer,
  header: string | string[] | undefined,
  options: VerifyOptions,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<VerifiedWebhook> {
  const signature = checkHeader(header, options.toleranceSeconds, nowSeconds);
  // Parsed once: the kind decides which secrets sign it, and the verified event is this object.
  const body = parseOrUndefined(rawBody);
  if (!isThinEvent(body)) {
    return {
      kind: 'snapshot',
      event: await verifySnapshotEvent(rawBody, body, signature, options.secrets, options.toleranceSeconds),
    };
  }
  if (options.thinSecrets.length === 0) {
    throw new BadRequestError(
      'this is a thin event notification and STRIPE_THIN_WEBHOOK_SECRET is not set: ' +
        'set it to the signing secret of the event destination',
      'thin_events_not_configured',
    );
  }
  return {
    kind: 'thin',
    notification: await verifyThinEvent(
      rawBody,
      body,
      signature,
      options.thinSecrets,
      options.toleranceSeconds,
    ),
  };
}

/** A snapshot event, checked with each secret in turn (several while a secret is being rolled). */
export async function verifyStripeEvent(
  rawBody: Buffer,
  header: string | string[] | undefined,
  secrets: readonly string[],
  toleranceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<StripeEventShape> {
  const signature = checkHeader(header, toleranceSeconds, nowSeconds);
  return verifySnapshotEvent(rawBody, parseOrUndefined(rawBody), signature, secrets, toleranceSeconds);
}

/**
 * The signature over the exact bytes, checked by the `stripe` package with each secret in turn;
 * then the body, already parsed, must be a Stripe event.
 */
async function verifySnapshotEvent(
  rawBody: Buffer,
  event: unknown,
  signature: string,
  secrets: readonly string[],
  toleranceSeconds: number,
): Promise<StripeEventShape> {
  let verified = false;
  for (const secret of secrets) {
    try {
      await signatures.verifyHeaderAsync(rawBody, signature, secret, toleranceSeconds);
      verified = true;
      break;
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) continue;
      throw err;
    }
  }
  if (!verified) throw signatureMismatch();
  if (event === undefined) throw new BadRequestError('body is not a JSON Stripe event', 'invalid_event');
  if (!stripeEventValidator.check(event)) {
    throw new BadRequestError(
      `body is not a Stripe event: ${stripeEventValidator.explain(event)}`,
      'invalid_event',
    );
  }
  return event;
}

/** A thin event notification, checked with the `stripe` package's own parser and each secret. */
async function verifyThinEvent(
  rawBody: Buffer,
  notification: unknown,
  signature: string,
  secrets: readonly string[],
  toleranceSeconds: number,
): Promise<StripeV2EventShape> {
  let verified = false;
  for (const secret of secrets) {
    try {
      await stripe.parseEventNotificationAsync(rawBody, signature, secret, toleranceSeconds);
      verified = true;
      break;
    } catch (err) {
      if (err instanceof Stripe.errors.StripeSignatureVerificationError) continue;
      throw new BadRequestError('body is not a Stripe event notification', 'invalid_event', { cause: err });
    }
  }
  if (!verified) throw signatureMismatch();
  // The parser turns `context` into an object and adds methods; keep the JSON as Stripe sent it.
  if (!stripeV2EventValidator.check(notification)) {
    throw new BadRequestError(
      `body is not a Stripe event notification: ${stripeV2EventValidator.explain(notification)}`,
      'invalid_event',
    );
  }
  return notification;
}

/** The header's shape and timestamp, checked before any HMAC is computed. */
function checkHeader(
  header: string | string[] | undefined,
  toleranceSeconds: number,
  nowSeconds: number,
): string {
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
  return header;
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

function signatureMismatch(): BadRequestError {
  return new BadRequestError(
    'no signature matches the payload for any configured secret',
    'signature_mismatch',
  );
}

function parseOrUndefined(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
