import { ORDERS_STRIPE_CONSUMER, type StripeEventShape } from '@billing/contracts';
import {
  createHttpApp,
  infraReadiness,
  infraRetentionRules,
  RetentionSweeper,
  registerOpenApiRoute,
  registerOperatorRoutes,
  replayRoute,
  requireBearer,
  runnerDefaults,
  startConsumer,
  stopConsumers,
  stripeCodec,
  type Handler,
  type HttpApp,
  type Logger,
  type RunningConsumer,
  type ServiceInfra,
} from '@billing/runtime';
import type { CatalogProductCreate } from './catalog/catalog.schema';
import { CatalogService } from './catalog/catalog-service';
import type { OrdersConfig } from './config';
import { CatalogRepository } from './db/catalog.repository';
import { CustomerRepository } from './db/customer.repository';
import { CustomerErasureRepository } from './db/customer-erasure.repository';
import { LedgerRepository } from './db/ledger.repository';
import { OrderRepository } from './db/order.repository';
import { StockRepository } from './db/stock.repository';
import { CustomerErasure } from './domain/customer-erasure';
import { Inventory } from './domain/inventory';
import { OrderBook } from './domain/order-book';
import { OrderEvents } from './domain/order-events';
import { OrderIntake } from './domain/order-intake';
import { PaymentLinks } from './domain/payment-links';
import { stripeHandlers } from './handlers';
import { registerCatalogRoutes } from './routes/catalog.routes';
import { registerCustomerRoutes } from './routes/customers.routes';
import { registerOrderRoutes } from './routes/orders.routes';
import type { StripeApi } from './stripe/stripe-api';

export interface OrdersDeps {
  config: Pick<
    OrdersConfig,
    | 'adminToken'
    | 'metricsToken'
    | 'retry'
    | 'concurrency'
    | 'outboxRelayIntervalMs'
    | 'parkedReplayIntervalMs'
    | 'parkedRetentionMs'
    | 'handledRetentionMs'
    | 'retentionSweepIntervalMs'
    | 'shutdownGraceMs'
    | 'restockOnRefund'
  >;
  logger: Logger;
  infra: ServiceInfra;
  stripe: StripeApi;
  /** Catalog products inserted (when missing) at start. */
  catalogSeed?: readonly CatalogProductCreate[];
  version?: string;
}

export interface OrdersService {
  http: HttpApp;
  /** The Stripe event handlers the consumer runs; parked-message replay runs them too. */
  handlers: Readonly<Record<string, Handler<StripeEventShape>>>;
  /** Seeds the catalog, then starts consuming and relaying the outbox. */
  start(): Promise<void>;
  /** Stops consuming (waiting for handlers in flight) and the relay. */
  stop(): Promise<void>;
}

/** Composes the service from its dependencies; nothing runs until `start` / `listen`. */
export async function buildOrdersService(deps: OrdersDeps): Promise<OrdersService> {
  const { config, logger, infra } = deps;
  const orders = new OrderRepository(infra.db);
  const ledger = new LedgerRepository(infra.db);
  const customers = new CustomerRepository(infra.db);
  const catalogRepo = new CatalogRepository(infra.db);
  const stock = new StockRepository(infra.db);
  const catalog = new CatalogService(catalogRepo, stock);

  const handlers = stripeHandlers({
    orders,
    ledger,
    book: new OrderBook(orders, ledger, stock),
    intake: new OrderIntake(orders, customers, catalogRepo, deps.stripe),
    inventory: new Inventory(stock),
    links: new PaymentLinks(orders, deps.stripe),
    events: new OrderEvents(infra.events),
    stripe: deps.stripe,
    restockOnRefund: config.restockOnRefund,
  });

  let running: RunningConsumer[] = [];
  const http = createHttpApp({
    logger,
    readiness: infraReadiness(infra, () => running),
    metrics: { metrics: infra.metrics, tokens: [config.adminToken, config.metricsToken] },
    openapi: {
      title: 'Orders service',
      version: deps.version ?? '0.1.0',
      description: 'Customers, orders, payments, refunds and the product catalog, built from Stripe events.',
      bearerToken: 'ADMIN_API_TOKEN',
    },
  });
  await http.after(); // the OpenAPI collector has loaded: the routes below are described
  const auth = requireBearer(config.adminToken);
  registerOrderRoutes(http, { orders, ledger, auth });
  // An operator's erasure is announced through the outbox: no message would publish it again.
  const erasure = new CustomerErasure({
    customers,
    orders,
    ledger,
    erasures: new CustomerErasureRepository(infra.db),
    events: new OrderEvents(infra.outbox),
    handled: infra.handled,
    clock: () => new Date(),
  });
  registerCustomerRoutes(http, { customers, orders, ledger, erasure, logger, auth });
  registerCatalogRoutes(http, { catalog, auth });
  // Parked messages, the handled-message log, Stripe event replay, consumer lag.
  const replayer = registerOperatorRoutes(http, {
    infra,
    routes: { [ORDERS_STRIPE_CONSUMER.durable]: replayRoute(stripeCodec, handlers) },
    stripeConsumers: [ORDERS_STRIPE_CONSUMER.durable],
    auth,
    logger,
  });
  const retention = new RetentionSweeper({
    rules: [...infraRetentionRules(infra, config)],
    logger,
  });
  registerOpenApiRoute(http, auth);

  return {
    http,
    handlers,
    async start() {
      await catalog.seed(deps.catalogSeed ?? [], logger);
      running = [
        await startConsumer<StripeEventShape>({
          ...runnerDefaults(infra, config, logger),
          consumer: ORDERS_STRIPE_CONSUMER,
          codec: stripeCodec,
          handlers,
          // Events of one Stripe customer are applied one after another.
          keyOf: (event) => {
            const customer = (event.data.object as { customer?: unknown }).customer;
            return typeof customer === 'string' ? customer : undefined;
          },
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
