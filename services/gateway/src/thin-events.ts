import type Stripe from 'stripe';
import {
  stripeEventValidator,
  stripeV2EventValidator,
  type StripeEventShape,
  type StripeV2EventShape,
} from '@billing/contracts';
import { AppError, BadRequestError, ServiceUnavailableError, callStripe } from '@billing/runtime';

/** What the gateway asks Stripe's API about a thin event notification. */
export interface StripeEventSource {
  /** `GET /v1/events/:id`: the snapshot event, as a webhook endpoint would have received it. */
  snapshotEvent(id: string, context?: string): Promise<unknown>;
  /** `GET /v2/core/events/:id`: the full v2 event, with its `data`. */
  v2Event(id: string, context?: string): Promise<unknown>;
}

/**
 * The source over stripe-node. `context` (a connected account's events) goes as `Stripe-Context`,
 * as the package's own `fetchEvent()` of a parsed notification sends it.
 */
export function stripeEventSource(stripe: Stripe): StripeEventSource {
  const options = (context?: string): Stripe.RequestOptions => (context ? { stripeContext: context } : {});
  return {
    snapshotEvent: (id, context) => stripe.events.retrieve(id, undefined, options(context)),
    v2Event: (id, context) => stripe.v2.core.events.retrieve(id, undefined, options(context)),
  };
}

/** The event a thin notification stands for, ready to store (the body is the JSON Stripe answered). */
export type FetchedEvent =
  | { kind: 'snapshot'; event: StripeEventShape; body: Buffer }
  | { kind: 'v2'; event: StripeV2EventShape; body: Buffer };

/**
 * A thin notification of a v1 event names its snapshot event (`snapshot_event`): that snapshot
 * is fetched and stored like a snapshot webhook, so consumers see one shape and a snapshot that
 * also came through a snapshot endpoint is stored once (same message id). Any other notification
 * (v2 events, and v1 events Stripe made without a snapshot, e.g. billing meter error reports) is
 * fetched as the full v2 event.
 * Errors: no API configured or API unreachable/failing → 503 (Stripe retries); the event does not
 * exist (404) → 400; a fetched event larger than `maxBytes` → 413, like a snapshot webhook.
 * @see https://docs.stripe.com/webhooks/migrate-snapshot-to-thin-events
 */
export async function fetchThinEvent(
  notification: StripeV2EventShape,
  source: StripeEventSource | undefined,
  maxBytes: number,
): Promise<FetchedEvent> {
  if (!source) {
    throw new ServiceUnavailableError(
      'a thin event notification needs the Stripe API to fetch its event: set STRIPE_SECRET_KEY',
      'stripe_api_not_configured',
    );
  }
  const context = notification.context ?? undefined;
  const snapshotId = notification.snapshot_event;
  if (snapshotId) {
    const event = await call('events.retrieve', snapshotId, () => source.snapshotEvent(snapshotId, context));
    if (!stripeEventValidator.check(event) || event.id !== snapshotId) {
      throw unexpectedAnswer(snapshotId, stripeEventValidator.explain(event));
    }
    return { kind: 'snapshot', event, body: storable(event, maxBytes) };
  }
  const event = await call('v2.core.events.retrieve', notification.id, () =>
    source.v2Event(notification.id, context),
  );
  if (!stripeV2EventValidator.check(event) || event.id !== notification.id) {
    throw unexpectedAnswer(notification.id, stripeV2EventValidator.explain(event));
  }
  return { kind: 'v2', event, body: storable(event, maxBytes) };
}

/** One Stripe API call as a client span; its failure mapped to what Stripe should do next. */
function call<T>(operation: string, eventId: string, fn: () => Promise<T>): Promise<T> {
  return callStripe(operation, fn, (err, status) => {
    if (status === 404)
      return new BadRequestError(`Stripe has no event ${eventId}`, 'event_not_found', { cause: err });
    // Network errors, timeouts, 429 and 5xx (after stripe-node's own retries), but also 401/403:
    // a key the operator can fix while Stripe retries.
    return new ServiceUnavailableError(
      `Stripe API could not fetch event ${eventId} (status ${status ?? 'none'})`,
      'stripe_api_unavailable',
      { cause: err },
    );
  });
}

function unexpectedAnswer(eventId: string, reason: string): ServiceUnavailableError {
  return new ServiceUnavailableError(
    `Stripe API answered event ${eventId} with an unexpected body: ${reason || 'another event id'}`,
    'stripe_api_unavailable',
  );
}

function storable(event: unknown, maxBytes: number): Buffer {
  // Methods stripe-node adds (fetchRelatedObject) and its non-enumerable lastResponse are not JSON.
  const body = Buffer.from(JSON.stringify(event));
  if (body.length > maxBytes) {
    throw new AppError(413, 'payload_too_large', `the fetched event is larger than ${maxBytes} bytes`);
  }
  return body;
}
