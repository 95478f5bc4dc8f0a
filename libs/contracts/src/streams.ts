import { STRIPE_SUBJECT_PREFIX, STRIPE_V2_SUBJECT_PREFIX } from './stripe';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A stream as declared by `declareStreams`; durations in milliseconds. */
export interface StreamDefinition {
  readonly name: string;
  readonly description: string;
  readonly subjects: readonly string[];
  readonly maxAgeMs: number;
  /** Window in which JetStream drops a second message with the same `Nats-Msg-Id`. */
  readonly duplicateWindowMs: number;
  readonly maxMsgBytes: number;
}

/** How long Stripe keeps events for `GET /v1/events`: the reconciler can find nothing older. */
export const STRIPE_EVENTS_API_WINDOW_MS = 30 * DAY;

/**
 * Every Stripe event the gateway verified (webhook) or fetched (reconciler), under
 * `stripe.event.<type>` (snapshot events fetched for thin notifications too), and Stripe v2
 * events under `stripe.v2event.<type>` (see stripe.ts). Kept 35 days by default (the gateway's STRIPE_EVENTS_MAX_AGE_DAYS, at
 * least 30), so every event Stripe still lists can be replayed through the consumers. The
 * duplicate window, keyed by the Stripe event id, spans Stripe's whole 30-day window: an event
 * the webhook stored is never stored again by a reconciliation, and the PubAck says which were
 * already there. nats-server holds one entry per message of the window in memory (README,
 * "Backfill and reconciliation", for the size).
 * Do not rename without a migration.
 */
export const STRIPE_EVENTS_STREAM: StreamDefinition = Object.freeze({
  name: 'STRIPE_EVENTS',
  description: 'Verified Stripe events, exactly as received or fetched',
  subjects: [`${STRIPE_SUBJECT_PREFIX}.>`, `${STRIPE_V2_SUBJECT_PREFIX}.>`],
  maxAgeMs: 35 * DAY,
  duplicateWindowMs: STRIPE_EVENTS_API_WINDOW_MS,
  maxMsgBytes: 2 * 1024 * 1024,
});

/**
 * The Stripe events stream kept `maxAgeDays` (the gateway's STRIPE_EVENTS_MAX_AGE_DAYS); never
 * shorter than the duplicate window, which must not outlast the messages.
 */
export function stripeEventsStream(maxAgeDays: number): StreamDefinition {
  const maxAgeMs = maxAgeDays * DAY;
  if (maxAgeMs < STRIPE_EVENTS_API_WINDOW_MS)
    throw new Error(`Stripe events must be kept at least ${STRIPE_EVENTS_API_WINDOW_MS / DAY} days`);
  return Object.freeze({ ...STRIPE_EVENTS_STREAM, maxAgeMs });
}

/** A JetStream key-value bucket (stored in the stream `KV_<name>`). */
export interface KeyValueBucketDefinition {
  readonly name: string;
  readonly description: string;
}

/**
 * The gateway's reconciler state: `cursor.<account>` (up to which creation time Stripe's events
 * were checked) and `lease.<account>` (which replica runs the next reconciliation, until when).
 * Do not rename without a migration: a new bucket starts without a cursor.
 */
export const STRIPE_RECONCILER_BUCKET: KeyValueBucketDefinition = Object.freeze({
  name: 'stripe_reconciler',
  description: "The gateway's reconciliation cursor and lease",
});

/** Domain events published by the orders service (`orders.>`). Do not rename without a migration. */
export const ORDERS_EVENTS_STREAM: StreamDefinition = Object.freeze({
  name: 'ORDERS_EVENTS',
  description: 'Domain events of the orders service',
  subjects: ['orders.>'],
  maxAgeMs: 30 * DAY,
  duplicateWindowMs: DAY,
  maxMsgBytes: 1024 * 1024,
});

/** Domain events published by the licensing service (`licensing.>`). Do not rename without a migration. */
export const LICENSING_EVENTS_STREAM: StreamDefinition = Object.freeze({
  name: 'LICENSING_EVENTS',
  description: 'Domain events of the licensing service',
  subjects: ['licensing.>'],
  maxAgeMs: 30 * DAY,
  duplicateWindowMs: DAY,
  maxMsgBytes: 1024 * 1024,
});

/** Domain events published by the notifications service (`notifications.>`). Do not rename without a migration. */
export const NOTIFICATIONS_EVENTS_STREAM: StreamDefinition = Object.freeze({
  name: 'NOTIFICATIONS_EVENTS',
  description: 'Domain events of the notifications service',
  subjects: ['notifications.>'],
  maxAgeMs: 30 * DAY,
  duplicateWindowMs: DAY,
  maxMsgBytes: 1024 * 1024,
});

export const ALL_STREAMS: readonly StreamDefinition[] = [
  STRIPE_EVENTS_STREAM,
  ORDERS_EVENTS_STREAM,
  LICENSING_EVENTS_STREAM,
  NOTIFICATIONS_EVENTS_STREAM,
];

export const durations = { SECOND, MINUTE, HOUR, DAY } as const;

/** The stream each service publishes to, declared by that service at start. */
export const STREAM_OWNED_BY: Readonly<Record<string, StreamDefinition>> = Object.freeze({
  gateway: STRIPE_EVENTS_STREAM,
  orders: ORDERS_EVENTS_STREAM,
  licensing: LICENSING_EVENTS_STREAM,
  notifications: NOTIFICATIONS_EVENTS_STREAM,
});
