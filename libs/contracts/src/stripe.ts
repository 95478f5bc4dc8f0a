import { Type, type Static } from '@sinclair/typebox';
import { compile } from './schema';

/**
 * Inbound Stripe events are stored exactly as Stripe sent them (the verified bytes) under
 * `stripe.event.<event type>`, e.g. `stripe.event.checkout.session.completed`.
 * Do not rename without a migration: streams and consumer filters match on this prefix.
 */
export const STRIPE_SUBJECT_PREFIX = 'stripe.event';

/**
 * The Stripe API version this system speaks: the one stripe-node 23.1.0 pins (`Stripe.API_VERSION`).
 * The services' Stripe client sends it with every request, and `npm run stripe:register` creates the
 * webhook endpoint with it, so the events Stripe renders have the shapes the services' reads have.
 * `@billing/runtime` fails to compile when an SDK upgrade pins another one: then review the payload
 * changes (see the Stripe fixtures in `@billing/testkit`), change it here and register a new endpoint.
 * @see https://docs.stripe.com/webhooks/versioning
 */
export const STRIPE_API_VERSION = '2026-10-28.endive';

/** Stripe event types are lowercase dotted words with underscores (`invoice.payment_failed`). */
const STRIPE_EVENT_TYPE = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/;
/** The same, as a JSON Schema `pattern` (for routes that take an event type). */
export const STRIPE_EVENT_TYPE_PATTERN = STRIPE_EVENT_TYPE.source;

export function stripeEventSubject(eventType: string): string {
  if (!STRIPE_EVENT_TYPE.test(eventType)) throw new Error(`not a Stripe event type: ${eventType}`);
  return `${STRIPE_SUBJECT_PREFIX}.${eventType}`;
}

/** Headers the gateway sets beside the raw event body. */
export const StripeHeaders = {
  /** JetStream de-duplication key: the Stripe event id. */
  msgId: 'Nats-Msg-Id',
  eventType: 'Stripe-Event-Type',
  apiVersion: 'Stripe-Api-Version',
  livemode: 'Stripe-Livemode',
} as const;

/**
 * The part of a Stripe snapshot event every consumer relies on. Consumers read the rest of
 * `data.object` with the stripe-node types and tolerate older API shapes.
 */
export const StripeEventShape = Type.Object({
  id: Type.String({ pattern: '^evt_' }),
  object: Type.Literal('event'),
  type: Type.String({ pattern: STRIPE_EVENT_TYPE_PATTERN }),
  created: Type.Integer({ minimum: 0 }),
  api_version: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  livemode: Type.Boolean(),
  data: Type.Object({
    object: Type.Object({ id: Type.Optional(Type.String()), object: Type.String() }),
    previous_attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});
export type StripeEventShape = Static<typeof StripeEventShape>;
export const stripeEventValidator = compile(StripeEventShape);

/**
 * Stripe "thin" events (API v2 event notifications) carry `object: "v2.core.event"` and no
 * snapshot; the gateway recognises and refuses them until a consumer needs them.
 */
export function isThinEvent(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { object?: unknown }).object === 'string' &&
    (value as { object: string }).object.startsWith('v2.')
  );
}
