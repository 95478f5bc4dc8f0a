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
  /**
   * The label of the Stripe account (see STRIPE_ACCOUNTS) whose endpoint received the event; absent
   * on events of the default account (and on every event stored before several accounts existed).
   */
  billingAccount: 'Billing-Account',
  /**
   * Connect: the connected account (`acct_...`) an event happened on (`event.account`); absent for
   * the platform's own events. API calls about the event send it as Stripe's `Stripe-Account` header.
   * @see https://docs.stripe.com/connect/webhooks
   */
  stripeAccount: 'Stripe-Account',
} as const;

/**
 * The account label of the variables STRIPE_SECRET_KEY / STRIPE_WEBHOOK_SECRET /
 * STRIPE_THIN_WEBHOOK_SECRET. Its data keeps the keys it had before several accounts existed.
 */
export const DEFAULT_BILLING_ACCOUNT = 'default';

/** An account label: what `/webhooks/stripe/<label>` and the Billing-Account header carry. */
export const BILLING_ACCOUNT_PATTERN = '^[a-z0-9-]{1,32}$';

/** The billing account of a stored Stripe event's headers: the default one when none is named. */
export function billingAccountOf(headers: Readonly<Record<string, string>> | undefined): string {
  return headers?.[StripeHeaders.billingAccount] ?? DEFAULT_BILLING_ACCOUNT;
}

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
  /** Connect: the connected account the event happened on; absent for the platform's own events. */
  account: Type.Optional(Type.Union([Type.String({ pattern: '^acct_' }), Type.Null()])),
  data: Type.Object({
    object: Type.Object({ id: Type.Optional(Type.String()), object: Type.String() }),
    previous_attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});
export type StripeEventShape = Static<typeof StripeEventShape>;
export const stripeEventValidator = compile(StripeEventShape);

/**
 * Stripe API v2 events, the "thin" events an event destination with thin payloads sends
 * (`v1.billing.meter.error_report_triggered`, `v2.core.event_destination.ping`, ...), as fetched
 * from `GET /v2/core/events/:id`, are stored as JSON under `stripe.v2event.<event type>` with the
 * type's dots kept, e.g. `stripe.v2event.v2.core.event_destination.ping`. A thin notification
 * that names a snapshot event (`snapshot_event`) is stored as that snapshot instead, under
 * `stripe.event.<type>`, so consumers see one shape. No service consumes v2 events yet; a consumer
 * that wants them filters `stripe.v2event.>`.
 * Do not rename without a migration: the stream and consumer filters match on this prefix.
 * @see https://docs.stripe.com/event-destinations#thin-events
 */
export const STRIPE_V2_SUBJECT_PREFIX = 'stripe.v2event';

/**
 * v2 event types start with their API namespace and may name a part of the object in brackets
 * (`v2.core.account[requirements].updated`); no wildcard, space or empty token reaches a subject.
 */
const STRIPE_V2_EVENT_TYPE = /^v\d+(\.[a-z0-9_[\]]+)+$/;

export function stripeV2EventSubject(eventType: string): string {
  if (!STRIPE_V2_EVENT_TYPE.test(eventType)) throw new Error(`not a Stripe v2 event type: ${eventType}`);
  return `${STRIPE_V2_SUBJECT_PREFIX}.${eventType}`;
}

/**
 * A Stripe v2 event: both the thin notification an event destination posts and the full event
 * `GET /v2/core/events/:id` returns (which adds `data` and `changes`). `created` is an ISO time.
 * `snapshot_event` names the v1 snapshot event of a thin `v1.*` event when Stripe made one.
 */
export const StripeV2EventShape = Type.Object({
  id: Type.String({ pattern: '^evt_' }),
  object: Type.Literal('v2.core.event'),
  type: Type.String({ pattern: STRIPE_V2_EVENT_TYPE.source }),
  created: Type.String({ format: 'date-time' }),
  livemode: Type.Boolean(),
  context: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  snapshot_event: Type.Optional(Type.Union([Type.String({ pattern: '^evt_' }), Type.Null()])),
  related_object: Type.Optional(
    Type.Union([Type.Object({ id: Type.String(), type: Type.String(), url: Type.String() }), Type.Null()]),
  ),
});
export type StripeV2EventShape = Static<typeof StripeV2EventShape>;
export const stripeV2EventValidator = compile(StripeV2EventShape);

/** A thin event notification (`object: "v2.core.event"`) rather than a snapshot event. */
export function isThinEvent(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { object?: unknown }).object === 'string' &&
    (value as { object: string }).object.startsWith('v2.')
  );
}
