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

/**
 * Every Stripe event the gateway verified, byte for byte, under `stripe.event.<type>`; snapshot
 * events fetched for thin notifications under the same subjects, and Stripe v2 events under
 * `stripe.v2event.<type>` (see stripe.ts).
 * Stripe retries a webhook for up to 3 days; messages are kept 7 days so any consumer can be
 * replayed across a long outage. The duplicate window (keyed by the Stripe event id) absorbs
 * Stripe's retries of the first day; later duplicates are stopped by each consumer's own unique
 * indexes (see README, "Exactly once").
 * Do not rename without a migration.
 */
export const STRIPE_EVENTS_STREAM: StreamDefinition = Object.freeze({
  name: 'STRIPE_EVENTS',
  description: 'Verified Stripe webhook events, exactly as received',
  subjects: [`${STRIPE_SUBJECT_PREFIX}.>`, `${STRIPE_V2_SUBJECT_PREFIX}.>`],
  maxAgeMs: 7 * DAY,
  duplicateWindowMs: DAY,
  maxMsgBytes: 2 * 1024 * 1024,
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
