import {
  STRIPE_EVENTS_STREAM,
  DEFAULT_BILLING_ACCOUNT,
  StripeHeaders,
  declareStreams,
  stripeEventSubject,
  stripeV2EventSubject,
  type StreamDefinition,
  type StripeEventShape,
  type StripeV2EventShape,
} from '@billing/contracts';
import {
  ServiceUnavailableError,
  publishWithId,
  secondsSince,
  type Logger,
  type NatsHandle,
  type PublishObserver,
} from '@billing/runtime';

/**
 * Stores a verified Stripe event; resolves only once JetStream acknowledged it. `account` is the
 * label of the Stripe account it came from (default: the default account).
 */
export interface StripeEventPublisher {
  /** A snapshot event under `stripe.event.<type>`, message id = its id. */
  publish(event: StripeEventShape, rawBody: Buffer, account?: string): Promise<{ duplicate: boolean }>;
  /** A Stripe v2 event under `stripe.v2event.<type>`, message id = its id. */
  publishV2(event: StripeV2EventShape, body: Buffer, account?: string): Promise<{ duplicate: boolean }>;
}

/**
 * The account headers: Billing-Account for an account other than the default one (the default
 * account's messages stay as they were before several accounts existed), Stripe-Account for an
 * event of a Connect account. Stripe event ids are unique across accounts, so the message id
 * (the event id) needs no label.
 */
function accountHeaders(account: string, connected: string | null | undefined): Record<string, string> {
  return {
    ...(account !== DEFAULT_BILLING_ACCOUNT && { [StripeHeaders.billingAccount]: account }),
    ...(connected && { [StripeHeaders.stripeAccount]: connected }),
  };
}

/**
 * Publishes to the Stripe events stream (`stream`: STRIPE_EVENTS as configured) with the event id
 * as message id. When the stream is gone (NATS restarted without its store, an operator deleted
 * it), it is declared again (at most once a second) and the event is answered 503, so Stripe
 * retries it into the new stream. `observe` is told how long each publish waited for its PubAck.
 */
export function jetStreamEventPublisher(
  nats: NatsHandle,
  timeoutMs: number,
  logger: Pick<Logger, 'warn'>,
  observe?: PublishObserver,
  stream: StreamDefinition = STRIPE_EVENTS_STREAM,
): StripeEventPublisher {
  let redeclaredAt = 0;
  const redeclareIfMissing = async () => {
    if (Date.now() - redeclaredAt < 1000) return;
    redeclaredAt = Date.now();
    const present = await nats.jsm.streams
      .info(stream.name)
      .then(() => true)
      .catch(() => false);
    if (present) return;
    await declareStreams(nats.jsm, [stream]);
    logger.warn({ stream: stream.name }, 'stream was missing: declared again');
  };
  const store = async (subject: string, body: Buffer, id: string, headers: Record<string, string>) => {
    // While disconnected the client would queue the request; answer at once so Stripe retries.
    if (!nats.isConnected())
      throw new ServiceUnavailableError('event store unavailable', 'store_unavailable');
    const start = process.hrtime.bigint();
    try {
      const result = await withTimeout(publishWithId(nats.js, subject, body, id, headers), timeoutMs);
      observe?.(result.duplicate ? 'duplicate' : 'stored', secondsSince(start));
      return { duplicate: result.duplicate };
    } catch (err) {
      observe?.('failed', secondsSince(start));
      await redeclareIfMissing().catch(() => undefined);
      throw new ServiceUnavailableError('event store did not acknowledge the event', 'store_unavailable', {
        cause: err,
      });
    }
  };
  return {
    publish: (event, rawBody, account = DEFAULT_BILLING_ACCOUNT) =>
      store(stripeEventSubject(event.type), rawBody, event.id, {
        [StripeHeaders.eventType]: event.type,
        [StripeHeaders.apiVersion]: event.api_version ?? 'unknown',
        [StripeHeaders.livemode]: String(event.livemode),
        ...accountHeaders(account, event.account),
      }),
    // v2 events are unversioned: no Stripe-Api-Version. Their `context` names a connected account.
    publishV2: (event, body, account = DEFAULT_BILLING_ACCOUNT) =>
      store(stripeV2EventSubject(event.type), body, event.id, {
        [StripeHeaders.eventType]: event.type,
        [StripeHeaders.livemode]: String(event.livemode),
        ...accountHeaders(account, event.context?.startsWith('acct_') ? event.context : undefined),
      }),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no PubAck within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
