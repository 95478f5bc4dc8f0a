import { ORDERS_EVENTS_STREAM, ORDERS_STRIPE_CONSUMER, type EventEnvelopeV1 } from '@billing/contracts';
import {
  connectServiceInfra,
  createLogger,
  DAY_MS,
  type LogLevel,
  type Logger,
  type RetryPolicy,
  type ServiceInfra,
} from '@billing/runtime';
import {
  ServiceTestContext,
  startFakeStripe,
  stripeFixtures as sf,
  useServiceContext,
  waitFor,
  type FakeStripe,
  type Json,
  type Started,
} from '@billing/testkit';
import type { Static } from '@sinclair/typebox';
import { buildOrdersService, type OrdersService } from '../../src/app';
import { readCatalogSeed } from '../../src/catalog/catalog-seed';
import { stripeClients } from '../../src/config';
import type { CatalogProductCreate } from '../../src/catalog/catalog.schema';
import { registerModels } from '../../src/db/models';
import type { OrderDetail } from '../../src/routes/schemas';
import { stripeApi } from '../../src/stripe/stripe-api';

/** The API key of each Stripe account the service is configured with (as STRIPE_ACCOUNTS gives them). */
export const ACCOUNT_KEYS = { default: 'sk_test_orders', eu: 'sk_test_orders_eu' } as const;

export const TOKEN = 'orders-test-token-0123456789abcdef';
/**
 * Compressed retry delays (about 16 s in all; the services' default is 3 days): long enough for a
 * burst of out-of-order events to find their order on a slow machine. Tests of parking pass shorter ones.
 */
export const RETRY_POLICY: RetryPolicy = { baseMs: 100, maxDelayMs: 8000, retryForMs: 16_000 };

/** Products the fixtures' metadata skus map to. */
export const TEST_CATALOG: CatalogProductCreate[] = [
  { sku: 'PRO-1M', name: 'Pro plan (monthly)', kind: 'subscription', tier: 'pro' },
  { sku: 'PRO-1Y', name: 'Pro plan (yearly)', kind: 'subscription', tier: 'pro' },
  {
    sku: 'EBOOK',
    name: 'Field guide (e-book)',
    kind: 'digital',
    downloadUrl: 'https://downloads.example.com/guide.pdf',
  },
  { sku: 'LICENSE-PRO', name: 'Pro license', kind: 'digital', tier: 'pro' },
];

export type OrderJson = Static<typeof OrderDetail>;
export type { Json };

export interface OrdersSetup {
  prefix: string;
  catalog?: CatalogProductCreate[];
  /** Seeds the catalog from this file instead, as the service does at start. */
  catalogSeedFile?: string;
  restockOnRefund?: boolean;
  retry?: RetryPolicy;
  logLevel?: LogLevel;
}

/** The orders service with a fake Stripe API, its log lines collected, and replicas on demand. */
export class OrdersContext extends ServiceTestContext<OrdersService, ServiceInfra> {
  fake!: FakeStripe;
  /** Log lines (parsed) the service wrote at `info` and above. */
  readonly logs: Array<Record<string, unknown>> = [];
  private readonly logger: Logger;
  private catalog: CatalogProductCreate[] = TEST_CATALOG;

  constructor(private readonly setup: OrdersSetup) {
    super({
      name: setup.prefix,
      consumers: [ORDERS_STRIPE_CONSUMER],
      adminToken: TOKEN,
      // The catalog is bounded by configuration, not by history: it may be read whole.
      wholeReads: ['catalog_products'],
    });
    const echo = process.env.TEST_LOG_LEVEL !== undefined;
    this.logger = createLogger({
      service: 'orders-test',
      version: 'test',
      level: setup.logLevel ?? (process.env.TEST_LOG_LEVEL as LogLevel | undefined) ?? 'info',
      destination: {
        write: (line: string) => {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
          if (echo) process.stdout.write(line);
        },
      },
    });
  }

  override async start(): Promise<this> {
    if (this.setup.catalogSeedFile) this.catalog = await readCatalogSeed(this.setup.catalogSeedFile, true);
    else if (this.setup.catalog) this.catalog = this.setup.catalog;
    this.fake = await startFakeStripe();
    return super.start();
  }

  protected async startService(): Promise<Started<OrdersService, ServiceInfra>> {
    const infra = await connectServiceInfra({
      service: 'orders',
      config: {
        natsUrl: this.natsUrl,
        mongo: { url: this.mongoUrl, dbName: this.dbName },
        logLevel: 'silent',
      },
      logger: this.logger,
      consumers: [ORDERS_STRIPE_CONSUMER],
      registerModels,
    });
    const stripe = stripeApi(
      stripeClients({
        stripe: {
          secretKey: ACCOUNT_KEYS.default,
          apiUrl: this.fake.url,
          timeoutMs: 2000,
          maxNetworkRetries: 0,
        },
        stripeKeys: ACCOUNT_KEYS,
      }),
    );
    const service = await buildOrdersService({
      config: {
        adminToken: TOKEN,
        retry: this.setup.retry ?? RETRY_POLICY,
        parkedReplayIntervalMs: 60_000,
        parkedRetentionMs: 30 * DAY_MS,
        handledRetentionMs: 30 * DAY_MS,
        retentionSweepIntervalMs: 60 * 60_000,
        shutdownGraceMs: 10_000,
        concurrency: 8,
        outboxRelayIntervalMs: 5000,
        restockOnRefund: this.setup.restockOnRefund ?? false,
      },
      logger: this.logger,
      infra,
      stripe,
      catalogSeed: this.catalog,
    });
    await service.http.ready();
    await service.start();
    return { service, infra };
  }

  /** Another instance on the same database and durable consumer, as a second deployment replica. */
  async replica(): Promise<Started<OrdersService, ServiceInfra> & { stop(): Promise<void> }> {
    const started = await this.startInstance();
    const stop = async () => {
      this.instances.splice(this.instances.indexOf(started), 1);
      await this.stopInstance(started);
    };
    return { ...started, stop };
  }

  async order(orderId: string): Promise<OrderJson | null> {
    const res = await this.api('GET', `/orders/${orderId}`);
    return res.status === 200 ? (res.body as OrderJson) : null;
  }

  /** Domain envelopes on ORDERS_EVENTS, optionally only those whose payload names the order. */
  async domainEvents(orderId?: string): Promise<EventEnvelopeV1[]> {
    const events = await this.streamReader(ORDERS_EVENTS_STREAM.name).envelopes();
    if (!orderId) return events;
    return events.filter((e) => {
      const payload = e.payload as { orderId?: string; order?: { orderId?: string } };
      return payload.orderId === orderId || payload.order?.orderId === orderId;
    });
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.fake?.close();
    }
  }
}

/** The orders service for the suite: started before its tests, closed after them. */
export const useOrders = (setup: OrdersSetup) => useServiceContext(() => new OrdersContext(setup));

/** Waits until GET /orders/:id satisfies `ready`, returning the order. */
export async function waitForOrder(
  h: OrdersContext,
  orderId: string,
  ready: (order: OrderJson) => boolean,
  what = `order ${orderId}`,
  timeoutMs = 15_000,
): Promise<OrderJson> {
  return waitFor(
    async () => {
      const order = await h.order(orderId);
      return order && ready(order) ? order : undefined;
    },
    { timeoutMs, intervalMs: 50, what },
  );
}

/** Waits until ORDERS_EVENTS holds the envelope with this id, returning it. */
export function waitForDomainEvent(
  h: OrdersContext,
  id: string,
  timeoutMs = 15_000,
): Promise<EventEnvelopeV1> {
  return h.streamReader(ORDERS_EVENTS_STREAM.name).waitFor(id, timeoutMs);
}

export { sf };
export { stubStripe } from '@billing/testkit';
