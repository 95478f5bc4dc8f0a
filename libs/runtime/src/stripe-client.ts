import { STRIPE_API_VERSION } from '@billing/contracts';
import Stripe from 'stripe';
import type { EnvReader } from './config';
import { inSpan, SpanKind } from './tracing';

export interface StripeApiConfig {
  secretKey: string;
  /** Stripe's API, stripe-mock, or a fake that speaks HTTP. */
  apiUrl: string;
  timeoutMs: number;
  /** stripe-node's own retries of network errors and 409/429/5xx answers, with backoff. */
  maxNetworkRetries: number;
}

export function readStripeApiConfig(reader: EnvReader): StripeApiConfig {
  return { secretKey: reader.string('STRIPE_SECRET_KEY'), ...readStripeApiSettings(reader) };
}

/** What every account's client shares: the API's URL, the timeout and the retries. */
export function readStripeApiSettings(reader: EnvReader): Omit<StripeApiConfig, 'secretKey'> {
  return {
    apiUrl: reader.url('STRIPE_API_URL', 'https://api.stripe.com', ['http:', 'https:']),
    timeoutMs: reader.int('STRIPE_API_TIMEOUT_MS', 20_000, { min: 100, max: 120_000 }),
    maxNetworkRetries: reader.int('STRIPE_API_MAX_RETRIES', 2, { min: 0, max: 10 }),
  };
}

/** A `stripe` client pointed at the configured API. */
export function createStripeClient(config: StripeApiConfig): Stripe {
  const url = new URL(config.apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(config.secretKey, {
    // stripe-node's type admits only the version it pins: an SDK upgrade that pins another one fails
    // to compile here until STRIPE_API_VERSION (contracts) follows it.
    apiVersion: STRIPE_API_VERSION,
    host: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
    timeout: config.timeoutMs,
    maxNetworkRetries: config.maxNetworkRetries,
    appInfo: { name: 'stripe-billing-events' },
  });
}

/**
 * One Stripe API call as a client span of the current trace. A failure is handed to `onError`
 * with the HTTP status Stripe answered (null: no answer), which maps it to what the caller does next.
 */
export function callStripe<T>(
  operation: string,
  fn: () => Promise<T>,
  onError: (err: unknown, status: number | null) => Error,
): Promise<T> {
  return inSpan(
    `stripe ${operation}`,
    { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'stripe', 'rpc.method': operation } },
    async () => {
      try {
        return await fn();
      } catch (err) {
        const status = (err as { statusCode?: unknown }).statusCode;
        throw onError(err, typeof status === 'number' ? status : null);
      }
    },
  );
}
