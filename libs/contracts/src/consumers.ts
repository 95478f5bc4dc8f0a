import {
  CUSTOMER_ERASED_V1,
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_CREATED_V1,
  ORDER_REFUNDED_V1,
  PAYMENT_FAILED_V1,
  PAYMENT_RECORDED_V1,
} from './orders.events';
import { stripeEventSubject } from './stripe';
import {
  LICENSING_EVENTS_STREAM,
  ORDERS_EVENTS_STREAM,
  STRIPE_EVENTS_STREAM,
  durations,
  type StreamDefinition,
} from './streams';

const { SECOND } = durations;

/**
 * A durable pull consumer with explicit acks. Durations in milliseconds.
 * `ackWaitMs` is how long a delivery may stay unacknowledged before JetStream redelivers it
 * (the runner extends it with `working()` for long handlers); `backoffMs`, when not empty, spaces
 * redeliveries after missed acks (a crashed process). Deliberate retries (`retry` outcomes) are spaced by the
 * runner's own schedule through `nak(delay)`; the runner parks a message after that schedule.
 */
export interface ConsumerDefinition {
  readonly stream: StreamDefinition;
  /** Durable name. Do not rename without a migration: a new name starts from the stream's start. */
  readonly durable: string;
  readonly description: string;
  readonly filterSubjects: readonly string[];
  readonly ackWaitMs: number;
  /** -1 for no limit (the default: the runner decides when to park). */
  readonly maxDeliver: number;
  readonly backoffMs: readonly number[];
  /** Upper bound of un-acked messages in flight across all replicas of the service. */
  readonly maxAckPending: number;
}

/**
 * A message waiting for its next retry (`nak(delay)`, for up to days) counts as pending: the
 * limit must hold every message of a long outage of a dependency, or they would stop every other
 * message of the consumer once it is reached.
 */
export const DEFAULT_MAX_ACK_PENDING = 20_000;

const DEFAULTS = {
  ackWaitMs: 30 * SECOND,
  /**
   * Unlimited: the runner parks a message after its own retry schedule. A server-side limit would
   * drop a message whose parking failed (database down) on the last allowed delivery.
   */
  maxDeliver: -1,
  /**
   * Empty on purpose: with a backoff list, nats-server adds the backoff step of a delivery to the
   * delay of a `nak(delay)`, which would stretch the runner's retry schedule by up to 15 minutes
   * per retry. Redelivery after a missed ack (a crashed process) waits `ackWaitMs`.
   */
  backoffMs: [] as number[],
  maxAckPending: DEFAULT_MAX_ACK_PENDING,
};

/** Stripe event types the orders service applies. */
export const ORDERS_STRIPE_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'invoice.paid',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'customer.subscription.deleted',
  'charge.refunded',
] as const;

/**
 * Stripe event types the licensing service applies. Renewals and refunds reach licensing as the
 * orders service's `orders.payment.recorded` / `orders.order.refunded` events instead, because
 * only orders can tie an invoice or a charge to the original order.
 */
export const LICENSING_STRIPE_EVENT_TYPES = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
] as const;

/**
 * Every Stripe event type some service applies: what the webhook endpoint subscribes to and what
 * the gateway's reconciler looks for in Stripe's Events API (at most 20 types per listing).
 */
export const CONSUMED_STRIPE_EVENT_TYPES: readonly string[] = Object.freeze([
  ...new Set<string>([...ORDERS_STRIPE_EVENT_TYPES, ...LICENSING_STRIPE_EVENT_TYPES]),
]);

/** Do not rename without a migration. */
export const ORDERS_STRIPE_CONSUMER: ConsumerDefinition = Object.freeze({
  ...DEFAULTS,
  stream: STRIPE_EVENTS_STREAM,
  durable: 'orders-stripe',
  description: 'orders: customers, orders, payments, refunds from Stripe events',
  filterSubjects: ORDERS_STRIPE_EVENT_TYPES.map(stripeEventSubject),
});

/** Do not rename without a migration. */
export const LICENSING_STRIPE_CONSUMER: ConsumerDefinition = Object.freeze({
  ...DEFAULTS,
  stream: STRIPE_EVENTS_STREAM,
  durable: 'licensing-stripe',
  description: 'licensing: subscription state and tiers from Stripe events',
  filterSubjects: LICENSING_STRIPE_EVENT_TYPES.map(stripeEventSubject),
});

/**
 * Orders events licensing applies (the customer's Stripe id from a new order; licenses, renewals
 * and refunds; a customer's erasure). The others are not delivered to it at all.
 */
export const LICENSING_ORDERS_SUBJECTS = [
  ORDER_CREATED_V1.subject,
  ORDER_CONFIRMED_V1.subject,
  PAYMENT_RECORDED_V1.subject,
  ORDER_REFUNDED_V1.subject,
  CUSTOMER_ERASED_V1.subject,
] as const;

/** Orders events notifications turns into emails and webhooks, and a customer's erasure. */
export const NOTIFICATIONS_ORDERS_SUBJECTS = [
  ORDER_CONFIRMED_V1.subject,
  PAYMENT_RECORDED_V1.subject,
  PAYMENT_FAILED_V1.subject,
  ORDER_CANCELLED_V1.subject,
  ORDER_REFUNDED_V1.subject,
  CUSTOMER_ERASED_V1.subject,
] as const;

/** Do not rename without a migration. */
export const LICENSING_ORDERS_CONSUMER: ConsumerDefinition = Object.freeze({
  ...DEFAULTS,
  stream: ORDERS_EVENTS_STREAM,
  durable: 'licensing-orders',
  description: 'licensing: licenses for confirmed orders, renewals and refunds',
  filterSubjects: LICENSING_ORDERS_SUBJECTS,
});

/** Do not rename without a migration. */
export const NOTIFICATIONS_ORDERS_CONSUMER: ConsumerDefinition = Object.freeze({
  ...DEFAULTS,
  stream: ORDERS_EVENTS_STREAM,
  durable: 'notifications-orders',
  description: 'notifications: emails and outbound webhooks for order events',
  filterSubjects: NOTIFICATIONS_ORDERS_SUBJECTS,
});

/** Do not rename without a migration. */
export const NOTIFICATIONS_LICENSING_CONSUMER: ConsumerDefinition = Object.freeze({
  ...DEFAULTS,
  stream: LICENSING_EVENTS_STREAM,
  durable: 'notifications-licensing',
  description: 'notifications: emails and outbound webhooks for licensing events',
  filterSubjects: ['licensing.>'],
});
