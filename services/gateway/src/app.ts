import {
  createHttpApp,
  registerOpenApiRoute,
  type HttpApp,
  type Logger,
  type Metrics,
} from '@billing/runtime';
import type { GatewayConfig } from './config';
import type { StripeEventPublisher } from './publisher';
import { stripeWebhookRoutes } from './routes/stripe-webhook.route';
import type { StripeEventSource } from './thin-events';

export interface GatewayDeps {
  config: Pick<GatewayConfig, 'webhookSecrets' | 'toleranceSeconds' | 'maxBodyBytes' | 'metricsToken'> &
    Partial<Pick<GatewayConfig, 'thinWebhookSecrets'>>;
  logger: Logger;
  /** Counts requests; served on `GET /metrics` only when `config.metricsToken` is set. */
  metrics?: Metrics;
  publisher: StripeEventPublisher;
  /** Stripe's API, to fetch the event of a thin notification; unset without STRIPE_SECRET_KEY. */
  stripeEvents?: StripeEventSource;
  readiness: Record<string, () => boolean | Promise<boolean>>;
  /** The version the OpenAPI document states. */
  version?: string;
}

/** Composes the gateway from its dependencies; no side effects until `listen`. */
export async function buildGatewayApp(deps: GatewayDeps): Promise<HttpApp> {
  const app = createHttpApp({
    logger: deps.logger,
    bodyLimit: deps.config.maxBodyBytes,
    readiness: deps.readiness,
    // No admin token here: METRICS_TOKEN is the only way in, and without it /metrics is 404.
    ...(deps.metrics && { metrics: { metrics: deps.metrics, tokens: [deps.config.metricsToken] } }),
    openapi: {
      title: 'Gateway',
      version: deps.version ?? '0.1.0',
      description:
        'Receives Stripe webhooks (snapshot events, and thin event notifications whose event it ' +
        'fetches from Stripe): verifies the signature over the exact bytes, stores the event in ' +
        'NATS JetStream, then answers. Public: Stripe authenticates with the signature.',
    },
  });
  await app.register(stripeWebhookRoutes, {
    secrets: deps.config.webhookSecrets,
    thinSecrets: deps.config.thinWebhookSecrets ?? [],
    toleranceSeconds: deps.config.toleranceSeconds,
    maxBodyBytes: deps.config.maxBodyBytes,
    publisher: deps.publisher,
    stripeEvents: deps.stripeEvents,
  });
  // Public like the webhook routes it describes: the gateway has no admin token.
  registerOpenApiRoute(app);
  return app;
}
