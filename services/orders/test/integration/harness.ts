import { jetstream } from '@nats-io/jetstream';
import {
  ORDERS_EVENTS_STREAM,
  ORDERS_STRIPE_CONSUMER,
  stripeEventSubject,
  type EventEnvelopeV1,
} from '@billing/contracts';
import {
  connectServiceInfra,
  createLogger,
  createStripeClient,
  DAY_MS,
  publishWithId,
  type LogLevel,
  type RetryPolicy,
  type ServiceInfra,
} from '@billing/runtime';
import {
  connectTestNats,
  startFakeStripe,
  stripeFixtures as sf,
  testEnv,
  uniqueDbName,
  waitFor,
  type FakeStripe,
  type TestNats,
  QueryRecorder,
} from '@billing/testkit';
import type { Static } from '@sinclair/typebox';
import { buildOrdersService, type OrdersService } from '../../src/app';
import type { CatalogProductCreate } from '../../src/catalog/catalog.schema';
import { registerModels } from '../../src/db/models';
import type { OrderDetail } from '../../src/routes/schemas';
import { stripeApi } from '../../src/stripe/stripe-api';

export const TOKEN = 'orders-test-token-0123456789abcdef';
/**
 * Compressed retry delays (about 16 s in all): long enough for a burst of out-of-order events to
 * find their order on a slow machine. Tests of parking pass shorter ones.
 */
/** Compressed: about 16 s of retries (the services' default is 3 days). */
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
/** Answers are asserted with jest matchers, so their JSON stays loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Replica {
  service: OrdersService;
  infra: ServiceInfra;
  stop(): Promise<void>;
}

export interface Harness {
  dbName: string;
  fake: FakeStripe;
  nats: TestNats;
  main: Replica;
  /** Log lines (parsed) the service wrote at `info` and above. */
  logs: Array<Record<string, unknown>>;
  /** Another instance on the same database and durable consumer, as a second deployment replica. */
  replica(): Promise<Replica>;
  /** Publishes a Stripe event the way the gateway stores it; `msgId` defaults to the event id. */
  publish(event: { id: string; type: string }, msgId?: string): Promise<void>;
  api(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json }>;
  order(orderId: string): Promise<OrderJson | null>;
  /** Resolves once the orders consumer has acknowledged (or parked) every message published so far. */
  settled(timeoutMs?: number): Promise<void>;
  /** Domain envelopes on ORDERS_EVENTS, optionally only those whose payload names the order. */
  domainEvents(orderId?: string): Promise<EventEnvelopeV1[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  prefix: string;
  catalog?: CatalogProductCreate[];
  restockOnRefund?: boolean;
  retry?: RetryPolicy;
  logLevel?: LogLevel;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const env = testEnv();
  const dbName = uniqueDbName(options.prefix);
  const fake = await startFakeStripe();
  const nats = await connectTestNats(env.natsUrl);
  const js = jetstream(nats.nc);
  const logs: Array<Record<string, unknown>> = [];
  const echo = process.env.TEST_LOG_LEVEL !== undefined;
  const logger = createLogger({
    service: 'orders-test',
    version: 'test',
    level: options.logLevel ?? (process.env.TEST_LOG_LEVEL as LogLevel | undefined) ?? 'info',
    destination: {
      write(line: string) {
        logs.push(JSON.parse(line) as Record<string, unknown>);
        if (echo) process.stdout.write(line);
      },
    },
  });
  const replicas: Replica[] = [];
  // Every query of every replica, checked for index use when the harness closes.
  const queries = new QueryRecorder();

  async function startReplica(): Promise<Replica> {
    const infra = await connectServiceInfra({
      service: 'orders',
      config: { natsUrl: env.natsUrl, mongo: { url: env.mongoUrl, dbName }, logLevel: 'silent' },
      logger,
      consumers: [ORDERS_STRIPE_CONSUMER],
      registerModels,
    });
    queries.watch(infra.db);
    const stripe = stripeApi(
      createStripeClient({
        secretKey: 'sk_test_orders',
        apiUrl: fake.url,
        timeoutMs: 2000,
        maxNetworkRetries: 0,
      }),
    );
    const service = await buildOrdersService({
      config: {
        adminToken: TOKEN,
        retry: options.retry ?? RETRY_POLICY,
        parkedReplayIntervalMs: 60_000,
        parkedRetentionMs: 30 * DAY_MS,
        handledRetentionMs: 30 * DAY_MS,
        retentionSweepIntervalMs: 60 * 60_000,
        shutdownGraceMs: 10_000,
        concurrency: 8,
        outboxRelayIntervalMs: 5000,
        restockOnRefund: options.restockOnRefund ?? false,
      },
      logger,
      infra,
      stripe,
      catalogSeed: options.catalog ?? TEST_CATALOG,
    });
    await service.http.ready();
    await service.start();
    const replica: Replica = {
      service,
      infra,
      stop: async () => {
        await service.stop();
        await service.http.close();
        await infra.nats.close();
        await infra.db.close();
      },
    };
    replicas.push(replica);
    return replica;
  }

  const main = await startReplica();
  const seen: EventEnvelopeV1[] = [];
  let nextSeq = 1;
  let reading = Promise.resolve();
  const api: Harness['api'] = async (method, url, body) => {
    const res = await main.service.http.inject({
      method,
      url,
      headers: { authorization: `Bearer ${TOKEN}` },
      ...(body !== undefined && { payload: body as object }),
    });
    return { status: res.statusCode, body: res.body ? res.json() : null };
  };
  return {
    dbName,
    fake,
    nats,
    main,
    logs,
    replica: startReplica,
    async publish(event, msgId = event.id) {
      await publishWithId(js, stripeEventSubject(event.type), JSON.stringify(event), msgId, {
        'Stripe-Event-Type': event.type,
      });
    },
    api,
    async settled(timeoutMs = 15_000) {
      let last: { num_pending: number; num_ack_pending: number; num_redelivered: number } | undefined;
      await waitFor(
        async () => {
          const info = await nats.jsm.consumers.info(
            ORDERS_STRIPE_CONSUMER.stream.name,
            ORDERS_STRIPE_CONSUMER.durable,
          );
          last = info;
          return info.num_pending === 0 && info.num_ack_pending === 0;
        },
        { timeoutMs, what: 'orders consumer to settle' },
      ).catch((err) => {
        throw new Error(
          `${(err as Error).message}: ${JSON.stringify({ pending: last?.num_pending, ackPending: last?.num_ack_pending, redelivered: last?.num_redelivered })}`,
        );
      });
    },
    async order(orderId) {
      const res = await api('GET', `/orders/${orderId}`);
      return res.status === 200 ? res.body : null;
    },
    async domainEvents(orderId) {
      // Reads only what was added since the last call (the stream grows through a test file);
      // calls are chained so concurrent ones do not read the same messages twice.
      reading = reading.then(async () => {
        const info = await nats.jsm.streams.info(ORDERS_EVENTS_STREAM.name);
        for (let seq = Math.max(nextSeq, info.state.first_seq); seq <= info.state.last_seq; seq++) {
          const msg = await nats.jsm.streams.getMessage(ORDERS_EVENTS_STREAM.name, { seq }).catch(() => null);
          if (msg) seen.push(JSON.parse(Buffer.from(msg.data).toString('utf8')) as EventEnvelopeV1);
          nextSeq = seq + 1;
        }
      });
      await reading;
      if (!orderId) return [...seen];
      return seen.filter((e) => {
        const payload = e.payload as { orderId?: string; order?: { orderId?: string } };
        return payload.orderId === orderId || payload.order?.orderId === orderId;
      });
    },
    async close() {
      // The catalog is bounded by configuration, not by history: it may be read whole.
      const failure = await queries
        .expectIndexed(main.infra.db, ['catalog_products'])
        .catch((err: unknown) => err);
      for (const r of replicas.splice(0)) await r.stop();
      await nats.close();
      await fake.close();
      if (failure) throw failure;
    },
  };
}

/** Waits until GET /orders/:id satisfies `ready`, returning the order. */
export async function waitForOrder(
  h: Harness,
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
export async function waitForDomainEvent(
  h: Harness,
  id: string,
  timeoutMs = 15_000,
): Promise<EventEnvelopeV1> {
  return waitFor(async () => (await h.domainEvents()).find((e) => e.id === id), {
    timeoutMs,
    what: `domain event ${id}`,
  });
}

/** Publishes events one after another, in the given order. */
export async function publishAll(
  h: Harness,
  events: ReadonlyArray<{ id: string; type: string }>,
): Promise<void> {
  for (const event of events) await h.publish(event);
}

export { sf };
export { stubStripe } from '@billing/testkit';
