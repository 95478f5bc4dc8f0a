import { DEFAULT_BILLING_ACCOUNT } from '@billing/contracts';
import {
  createHttpApp,
  registerOpenApiRoute,
  requireBearer,
  type HttpApp,
  type Logger,
  type Metrics,
} from '@billing/runtime';
import type { GatewayConfig } from './config';
import type { StripeEventPublisher } from './publisher';
import type { StripeReconciler } from './reconcile/reconciler';
import { registerAdminRoutes } from './routes/admin.routes';
import { stripeWebhookRoutes } from './routes/stripe-webhook.route';
import type { StripeEventSource } from './thin-events';

/** Another Stripe account (STRIPE_ACCOUNTS): its secrets, its API and its reconciler. */
export interface GatewayAccountDeps {
  label: string;
  webhookSecrets: readonly string[];
  thinWebhookSecrets: readonly string[];
  stripeEvents?: StripeEventSource;
  reconciler?: StripeReconciler;
}

export interface GatewayDeps {
  config: Pick<
    GatewayConfig,
    'webhookSecrets' | 'toleranceSeconds' | 'maxBodyBytes' | 'metricsToken' | 'adminToken'
  > &
    Partial<Pick<GatewayConfig, 'thinWebhookSecrets'>>;
  logger: Logger;
  /** Counts requests; `GET /metrics` serves them to the admin or the metrics token (404 without either). */
  metrics?: Metrics;
  publisher: StripeEventPublisher;
  /** Stripe's API, to fetch the event of a thin notification; unset without STRIPE_SECRET_KEY. */
  stripeEvents?: StripeEventSource;
  /** Stores missed events from Stripe's Events API; absent without STRIPE_SECRET_KEY. */
  reconciler?: StripeReconciler;
  /** The accounts besides the default one (whose fields are the ones above). */
  accounts?: readonly GatewayAccountDeps[];
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
    ...(deps.metrics && {
      metrics: { metrics: deps.metrics, tokens: [deps.config.adminToken, deps.config.metricsToken] },
    }),
    openapi: {
      title: 'Gateway',
      version: deps.version ?? '0.1.0',
      description:
        'Receives Stripe webhooks (snapshot events, and thin event notifications whose event it ' +
        'fetches from Stripe): verifies the signature over the exact bytes, stores the event in ' +
        'NATS JetStream, then answers. Public: Stripe authenticates with the signature. ' +
        "Finds and stores the events it missed in Stripe's Events API (admin: ADMIN_API_TOKEN).",
      ...(deps.config.adminToken && { bearerToken: 'ADMIN_API_TOKEN' }),
    },
  });
  await app.register(stripeWebhookRoutes, {
    secrets: deps.config.webhookSecrets,
    thinSecrets: deps.config.thinWebhookSecrets ?? [],
    toleranceSeconds: deps.config.toleranceSeconds,
    maxBodyBytes: deps.config.maxBodyBytes,
    publisher: deps.publisher,
    stripeEvents: deps.stripeEvents,
    accounts: new Map(
      (deps.accounts ?? []).map((a) => [
        a.label,
        { secrets: a.webhookSecrets, thinSecrets: a.thinWebhookSecrets, stripeEvents: a.stripeEvents },
      ]),
    ),
  });
  // Without ADMIN_API_TOKEN the gateway has no admin routes at all.
  if (deps.config.adminToken) {
    const reconcilers = new Map<string, StripeReconciler | undefined>([
      [DEFAULT_BILLING_ACCOUNT, deps.reconciler],
      ...(deps.accounts ?? []).map((a) => [a.label, a.reconciler] as const),
    ]);
    registerAdminRoutes(app, { reconcilers, auth: requireBearer(deps.config.adminToken) });
  }
  // Public like the webhook routes it describes.
  registerOpenApiRoute(app);
  return app;
}
