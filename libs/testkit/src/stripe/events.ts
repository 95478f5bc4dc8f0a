/**
 * The event envelope Stripe POSTs to a webhook endpoint.
 *
 * The envelope itself has not changed across the versions these fixtures cover; only `api_version`
 * tells which shape `data.object` has. `data.previous_attributes` appears on `*.updated` events and
 * holds the prior values of the changed top-level fields (whole arrays and lists when any element
 * changed). `request.id` is null when Stripe acted on its own (renewals, retries, period-end
 * cancellations).
 *
 * @see https://docs.stripe.com/api/events/object
 * @see https://docs.stripe.com/webhooks/versioning
 */
import type Stripe from 'stripe';

import { eventId, idempotencyKey, requestId } from './ids';
import { CURRENT_API_VERSION, nowSeconds } from './shape';

export type StripeEventType = Stripe.Event.Type;

export interface StripeEventPayload<TObject = unknown, TType extends StripeEventType = StripeEventType> {
  id: string;
  object: 'event';
  api_version: string | null;
  created: number;
  data: {
    object: TObject;
    previous_attributes?: Record<string, unknown>;
  };
  livemode: boolean;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: TType;
}

export interface MakeEventOptions {
  id?: string;
  created?: number;
  apiVersion?: string;
  previousAttributes?: Record<string, unknown>;
  livemode?: boolean;
  pendingWebhooks?: number;
  /** `'automatic'` for events Stripe raises on its own (request id and idempotency key null). */
  request?: 'api' | 'automatic' | { id: string | null; idempotency_key: string | null };
}

export function makeEvent<TObject, TType extends StripeEventType>(
  type: TType,
  object: TObject,
  opts: MakeEventOptions = {},
): StripeEventPayload<TObject, TType> {
  const data: StripeEventPayload<TObject, TType>['data'] = { object };
  if (opts.previousAttributes !== undefined) data.previous_attributes = opts.previousAttributes;
  return {
    id: opts.id ?? eventId(),
    object: 'event',
    api_version: opts.apiVersion ?? CURRENT_API_VERSION,
    created: opts.created ?? nowSeconds(),
    data,
    livemode: opts.livemode ?? false,
    pending_webhooks: opts.pendingWebhooks ?? 1,
    request: eventRequest(opts.request ?? 'api'),
    type,
  };
}

function eventRequest(request: NonNullable<MakeEventOptions['request']>): StripeEventPayload['request'] {
  if (request === 'automatic') return { id: null, idempotency_key: null };
  if (request === 'api') return { id: requestId(), idempotency_key: idempotencyKey() };
  return request;
}

/**
 * A clock for one scenario: every call to `next()` returns a later second, so the `created` of the
 * events it stamps increases strictly along the story even when tests shuffle the delivery order.
 */
export interface ScenarioClock {
  now(): number;
  /** Moves forward by `stepSeconds` (at least one second) and returns the new time. */
  next(stepSeconds?: number): number;
  /** Jumps to `time` (e.g. a period end) if it is later, else moves one second; returns the new time. */
  advanceTo(time: number): number;
}

export function scenarioClock(start: number = nowSeconds()): ScenarioClock {
  let current = start;
  return {
    now: () => current,
    next: (stepSeconds = 1) => {
      current += Math.max(1, stepSeconds);
      return current;
    },
    advanceTo: (time) => {
      current = Math.max(current + 1, time);
      return current;
    },
  };
}
