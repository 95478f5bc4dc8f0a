import { createHttpApp, type HttpApp, type Logger } from '@billing/runtime';
import type { GatewayConfig } from './config';
import type { StripeEventPublisher } from './publisher';
import { stripeWebhookRoutes } from './routes/stripe-webhook.route';

export interface GatewayDeps {
  config: Pick<GatewayConfig, 'webhookSecrets' | 'toleranceSeconds' | 'maxBodyBytes'>;
  logger: Logger;
  publisher: StripeEventPublisher;
  readiness: Record<string, () => boolean | Promise<boolean>>;
}

/** Composes the gateway from its dependencies; no side effects until `listen`. */
export async function buildGatewayApp(deps: GatewayDeps): Promise<HttpApp> {
  const app = createHttpApp({
    logger: deps.logger,
    bodyLimit: deps.config.maxBodyBytes,
    readiness: deps.readiness,
  });
  await app.register(stripeWebhookRoutes, {
    secrets: deps.config.webhookSecrets,
    toleranceSeconds: deps.config.toleranceSeconds,
    maxBodyBytes: deps.config.maxBodyBytes,
    publisher: deps.publisher,
  });
  return app;
}
