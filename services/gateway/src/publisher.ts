import { StripeHeaders, stripeEventSubject, type StripeEventShape } from '@billing/contracts';
import { ServiceUnavailableError, publishWithId, type NatsHandle } from '@billing/runtime';

/** Stores a verified Stripe event; resolves only once JetStream acknowledged it. */
export interface StripeEventPublisher {
  publish(event: StripeEventShape, rawBody: Buffer): Promise<{ duplicate: boolean }>;
}

export function jetStreamEventPublisher(nats: NatsHandle, timeoutMs: number): StripeEventPublisher {
  return {
    async publish(event, rawBody) {
      // While disconnected the client would queue the request; answer at once so Stripe retries.
      if (!nats.isConnected())
        throw new ServiceUnavailableError('event store unavailable', 'store_unavailable');
      try {
        const result = await withTimeout(
          publishWithId(nats.js, stripeEventSubject(event.type), rawBody, event.id, {
            [StripeHeaders.eventType]: event.type,
            [StripeHeaders.apiVersion]: event.api_version ?? 'unknown',
            [StripeHeaders.livemode]: String(event.livemode),
          }),
          timeoutMs,
        );
        return { duplicate: result.duplicate };
      } catch (err) {
        throw new ServiceUnavailableError('event store did not acknowledge the event', 'store_unavailable', {
          cause: err,
        });
      }
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no PubAck within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
