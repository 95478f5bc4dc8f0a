import { randomBytes } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import {
  LICENSING_ORDERS_CONSUMER,
  LICENSING_STRIPE_CONSUMER,
  ORDERS_EVENTS,
  type StripeEventShape,
  type TypedEnvelope,
} from '@billing/contracts';
import {
  RetentionSweeper,
  createHttpApp,
  envelopeCodec,
  infraReadiness,
  infraRetentionRules,
  registerOpenApiRoute,
  registerOperatorRoutes,
  replayRoute,
  requireBearer,
  runnerDefaults,
  sharedRateLimitStore,
  startConsumer,
  stopConsumers,
  stripeCodec,
  type HttpApp,
  type Logger,
  type RunningConsumer,
  type ServiceInfra,
} from '@billing/runtime';
import { productPolicy, type LicensingConfig } from './config';
import { CustomerRepository } from './db/customer.repository';
import { LicensingErasure } from './db/customer-erasure.repository';
import { LicenseRepository } from './db/license.repository';
import { RevocationClaims } from './db/revocation-claim.repository';
import { MachineRepository } from './db/machine.repository';
import { OrderFactsRepository } from './db/order-facts.repository';
import { SubscriptionRepository } from './db/subscription.repository';
import type { LicenseSigner } from './domain/license-key';
import { RateLimitedError } from './errors';
import type { HandlerDeps } from './handlers/deps';
import { orderKeyOf, ordersHandlers, stripeHandlers, stripeKeyOf } from './handlers';
import { LicenseAdmin } from './domain/license-admin';
import { LicenseReader } from './domain/license-reader';
import { TierAnnouncer } from './domain/tier-announcer';
import { licensingMetrics } from './metrics';
import { registerAdminRoutes } from './routes/admin.routes';
import { registerPublicLicenseRoutes } from './routes/public-licenses.routes';
import { registerWellKnownRoutes } from './routes/well-known.routes';

export interface LicensingDeps {
  config: Readonly<LicensingConfig>;
  logger: Logger;
  infra: ServiceInfra;
  signer: LicenseSigner;
  /** Defaults to the wall clock. */
  clock?: () => Date;
  /** The version the OpenAPI document states. */
  version?: string;
}

export interface LicensingService {
  http: HttpApp;
  /** Starts consuming and relaying the outbox. */
  start(): Promise<void>;
  /** Stops consuming (waiting for handlers in flight) and the relay. */
  stop(): Promise<void>;
}

// Keys carry their claims, so they are longer than Fastify's default path parameter limit.
const MAX_PARAM_LENGTH = 2048;

export const newLicenseId = (): string => `lic_${randomBytes(16).toString('hex')}`;

/** What the message handlers use, on the service's database. */
export function licensingHandlerDeps(deps: {
  db: ServiceInfra['db'];
  config: Pick<LicensingConfig, 'tiers' | 'revokeOnPartialRefund' | 'products' | 'defaultSeats'>;
  events: HandlerDeps['events'];
  signer: HandlerDeps['signer'];
  clock: () => Date;
  metrics?: HandlerDeps['metrics'];
}): HandlerDeps & { licenses: LicenseRepository; views: LicenseReader } {
  const { db, config, clock } = deps;
  const licenses = new LicenseRepository(db);
  const subscriptions = new SubscriptionRepository(db);
  const customers = new CustomerRepository(db);
  const orderFacts = new OrderFactsRepository(db);
  const views = new LicenseReader({
    licenses,
    subscriptions,
    orderFacts,
    customers,
    tiers: config.tiers,
    revokeOnPartialRefund: config.revokeOnPartialRefund,
    clock,
  });
  return {
    licenses,
    subscriptions,
    customers,
    orderFacts,
    erasure: new LicensingErasure(db),
    views,
    revocations: new RevocationClaims(db),
    events: deps.events,
    signer: deps.signer,
    announcer: new TierAnnouncer({ views, customers, tiers: config.tiers, events: deps.events, clock }),
    policy: {
      tiers: config.tiers,
      revokeOnPartialRefund: config.revokeOnPartialRefund,
      productPolicy: (sku) => productPolicy(config, sku),
    },
    clock,
    newLicenseId,
    metrics: deps.metrics,
  };
}

export async function buildLicensingService(deps: LicensingDeps): Promise<LicensingService> {
  const { config, logger, infra, signer } = deps;
  const clock = deps.clock ?? (() => new Date());
  const counted = licensingMetrics(infra.metrics);
  const handlerDeps = licensingHandlerDeps({
    db: infra.db,
    config,
    events: counted.countingRevocations(infra.events),
    signer,
    clock,
    metrics: counted,
  });
  const { licenses, views } = handlerDeps;
  const machines = new MachineRepository(infra.db);
  const fromStripe = stripeHandlers(handlerDeps);
  const fromOrders = ordersHandlers(handlerDeps);
  const ordersCodec = envelopeCodec(ORDERS_EVENTS);

  let running: RunningConsumer[] = [];
  const http = createHttpApp({
    logger,
    readiness: infraReadiness(infra, () => running),
    maxParamLength: MAX_PARAM_LENGTH,
    trustProxy: config.trustProxy,
    metrics: { metrics: infra.metrics, tokens: [config.adminToken, config.metricsToken] },
    openapi: {
      title: 'Licensing service',
      version: deps.version ?? '0.1.0',
      description:
        'License keys, tiers and entitlements. Public: key verification, machine activation and the ' +
        'public key (the key is the credential); everything else needs the admin token.',
      bearerToken: 'ADMIN_API_TOKEN',
    },
  });
  // Also loads the OpenAPI collector: the routes below are described.
  await http.register(rateLimit, {
    global: false,
    // Counted in the database, so the limits hold across every replica.
    store: sharedRateLimitStore(infra.db, clock),
    errorResponseBuilder: (_request, context) => new RateLimitedError(context.after),
  });
  const auth = requireBearer(config.adminToken);
  registerWellKnownRoutes(http, signer);
  registerPublicLicenseRoutes(http, { signer, licenses, machines, views, config, clock, metrics: counted });
  const admin = new LicenseAdmin({
    licenses,
    views,
    outbox: counted.countingRevocations(infra.outbox),
    clock,
  });
  registerAdminRoutes(http, { licenses, machines, views, admin, auth });
  // Parked messages, the handled-message log, Stripe event replay, consumer lag.
  const replayer = registerOperatorRoutes(http, {
    infra,
    routes: {
      [LICENSING_STRIPE_CONSUMER.durable]: replayRoute(stripeCodec, fromStripe),
      [LICENSING_ORDERS_CONSUMER.durable]: replayRoute(ordersCodec, fromOrders),
    },
    stripeConsumers: [LICENSING_STRIPE_CONSUMER.durable],
    auth,
    logger,
  });
  registerOpenApiRoute(http, auth);
  const retention = new RetentionSweeper({
    rules: [...infraRetentionRules(infra, config)],
    logger,
  });

  return {
    http,
    async start() {
      running = [
        await startConsumer<StripeEventShape>({
          ...runnerDefaults(infra, config, logger),
          consumer: LICENSING_STRIPE_CONSUMER,
          codec: stripeCodec,
          handlers: fromStripe,
          keyOf: stripeKeyOf,
        }),
        await startConsumer<TypedEnvelope<unknown>>({
          ...runnerDefaults(infra, config, logger),
          consumer: LICENSING_ORDERS_CONSUMER,
          codec: ordersCodec,
          handlers: fromOrders,
          keyOf: orderKeyOf,
        }),
      ];
      infra.outbox.startRelay(config.outboxRelayIntervalMs);
      replayer.start(config.parkedReplayIntervalMs);
      retention.start(config.retentionSweepIntervalMs);
    },
    async stop() {
      await stopConsumers(running, config.shutdownGraceMs);
      await replayer.stop();
      await retention.stop();
      await infra.outbox.stopRelay();
    },
  };
}
