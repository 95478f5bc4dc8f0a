import type { Connection } from 'mongoose';
import {
  STRIPE_EVENTS_STREAM,
  declareConsumers,
  stripeEventSubject,
  type ConsumerDefinition,
  type StripeEventShape,
} from '@billing/contracts';
import { QueryRecorder, stripeFixtures as sf, testEnv, uniqueDbName, waitFor } from '@billing/testkit';
import {
  HandledLog,
  JetStreamState,
  ParkedStore,
  PermanentError,
  connectMongo,
  connectNats,
  createHttpApp,
  createLogger,
  done,
  ensureIndexes,
  publishWithId,
  registerConsumerRoutes,
  registerHandledRoutes,
  requireBearer,
  skipped,
  startConsumer,
  stripeCodec,
  type HttpApp,
  type NatsHandle,
  type RunningConsumer,
} from '../../src';

const logger = createLogger({ service: 'stripe-events-test', version: 'test', level: 'silent' });
const TOKEN = 'admin-token-0123456789';

const consumer = (durable: string): ConsumerDefinition => ({
  stream: STRIPE_EVENTS_STREAM,
  durable,
  description: 'Stripe events list integration test',
  filterSubjects: [`${STRIPE_EVENTS_STREAM.subjects[0]}`],
  ackWaitMs: 5000,
  maxDeliver: -1,
  backoffMs: [5000],
  maxAckPending: 100,
});
// Two consumers of one service handle every Stripe event; a third is declared and never runs.
const MAIN = consumer('stripe-list-main');
const AUDIT = consumer('stripe-list-audit');
const IDLE = consumer('stripe-list-idle');

type Answer = {
  items: Array<{
    id: string;
    type: string;
    customer: string | null;
    email: string | null;
    createdAt: string;
    consumers: Array<{ consumer: string; outcome: string; streamSequence: number; eventType: string }>;
  }>;
  nextBefore: string | null;
};

describe('GET /admin/stripe-events and /admin/consumers on real JetStream and the Mongo-protocol store', () => {
  let nats: NatsHandle;
  let db: Connection;
  let handled: HandledLog;
  let http: HttpApp;
  const running: RunningConsumer[] = [];
  const queries = new QueryRecorder();

  // Ada: a checkout, an invoice, a customer update (parked); Bob: a checkout, then a refund.
  const t0 = Math.floor(Date.now() / 1000) - 3600;
  const ada = sf.checkoutSession({ email: 'Ada@Example.com', customerId: 'cus_AdaList' });
  const bob = sf.checkoutSession({ email: 'bob@example.com', customerId: 'cus_BobList' });
  const events = [
    sf.makeEvent('checkout.session.completed', ada, { created: t0 }),
    sf.makeEvent(
      'invoice.paid',
      sf.invoice({ customerId: 'cus_AdaList', customerEmail: 'ada@example.com' }),
      {
        created: t0 + 60,
      },
    ),
    sf.makeEvent('checkout.session.completed', bob, { created: t0 + 120 }),
    sf.makeEvent(
      'customer.updated',
      { id: 'cus_AdaList', object: 'customer', email: 'ada@example.com' },
      {
        created: t0 + 180,
      },
    ),
    sf.makeEvent(
      'charge.refunded',
      sf.charge({ customerId: 'cus_BobList', receiptEmail: 'bob@example.com' }),
      {
        created: t0 + 240,
      },
    ),
  ];
  const newestFirst = events.map((e) => e.id).reverse();

  const get = async <T = Answer>(url: string, token = TOKEN) => {
    const res = await http.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, body: res.json<T>() };
  };

  beforeAll(async () => {
    const env = testEnv();
    nats = await connectNats(env.natsUrl, 'stripe-events-test', logger);
    await nats.jsm.streams.delete(STRIPE_EVENTS_STREAM.name).catch(() => undefined);
    await declareConsumers(nats.jsm, [MAIN, AUDIT, IDLE]);
    db = await connectMongo({ url: env.mongoUrl, dbName: uniqueDbName('stripe_events') }, logger);
    queries.watch(db);
    handled = new HandledLog(db);
    const parked = new ParkedStore(db);
    await ensureIndexes(db);
    http = createHttpApp({ logger, readiness: {} });
    const auth = requireBearer(TOKEN);
    registerHandledRoutes(http, { handled, auth });
    // No cache: each request sees JetStream as it is now.
    registerConsumerRoutes(http, { jetstream: new JetStreamState(nats.jsm, [MAIN, AUDIT, IDLE], 0), auth });
    await http.ready();

    const common = {
      js: nats.js,
      codec: stripeCodec,
      logger,
      park: (m: Parameters<ParkedStore['park']>[0]) => parked.park(m),
      retry: { baseMs: 50, maxDelayMs: 50, retryForMs: 60_000 },
      concurrency: 1,
      recordHandled: (entry: Parameters<HandledLog['record']>[0]) => handled.record(entry),
    };
    running.push(
      await startConsumer<StripeEventShape>({
        ...common,
        consumer: MAIN,
        handlers: {
          'checkout.session.completed': async () => done(),
          'invoice.paid': async () => skipped('not a subscription invoice'),
          'charge.refunded': async () => done(),
          'customer.updated': async () => {
            throw new PermanentError('customer updates are not ours');
          },
        },
      }),
      // Only checkouts: the rest it skips ("no handler").
      await startConsumer<StripeEventShape>({
        ...common,
        consumer: AUDIT,
        handlers: { 'checkout.session.completed': async () => done() },
      }),
    );
    for (const e of events) {
      await publishWithId(nats.js, stripeEventSubject(e.type), JSON.stringify(e), e.id);
    }
    await waitFor(
      async () => {
        const { items } = await handled.stripeEvents({ limit: 200 });
        return items.length === 5 && items.every((i) => i.consumers.length === 2);
      },
      { what: 'both consumers to handle the five events' },
    );
  });

  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await http.close();
    await nats.jsm.streams.delete(STRIPE_EVENTS_STREAM.name).catch(() => undefined);
    await db.dropDatabase();
    await db.close();
    await nats.close();
  });

  it('lists the Stripe events newest first, each with what every consumer did with it', async () => {
    const { status, body } = await get('/admin/stripe-events');
    expect(status).toBe(200);
    expect(body.items.map((i) => i.id)).toEqual(newestFirst);
    expect(body.nextBefore).toBeNull();
    const adaCheckout = body.items.find((i) => i.id === events[0]!.id)!;
    expect(adaCheckout).toMatchObject({
      type: 'checkout.session.completed',
      customer: 'cus_AdaList',
      email: 'ada@example.com',
      createdAt: new Date(t0 * 1000).toISOString(),
    });
    expect(adaCheckout.consumers.map((c) => [c.consumer, c.outcome])).toEqual([
      [AUDIT.durable, 'done'],
      [MAIN.durable, 'done'],
    ]);
    // The stream sequence is where the message is stored: the first event published is the first.
    expect(adaCheckout.consumers[0]!.streamSequence).toBe(1);
    const update = body.items.find((i) => i.type === 'customer.updated')!;
    expect(update.consumers.map((c) => [c.consumer, c.outcome])).toEqual([
      [AUDIT.durable, 'skipped'],
      [MAIN.durable, 'parked'],
    ]);
  });

  it('finds them by type, customer, email and creation time', async () => {
    const ids = async (query: string) =>
      (await get(`/admin/stripe-events?${query}`)).body.items.map((i) => i.id);
    expect(await ids('type=checkout.session.completed')).toEqual([events[2]!.id, events[0]!.id]);
    expect(await ids('customer=cus_BobList')).toEqual([events[4]!.id, events[2]!.id]);
    expect(await ids(`email=${encodeURIComponent('ADA@example.com')}`)).toEqual([
      events[3]!.id,
      events[1]!.id,
      events[0]!.id,
    ]);
    const at = (s: number) => encodeURIComponent(new Date((t0 + s) * 1000).toISOString());
    expect(await ids(`since=${at(60)}&until=${at(180)}`)).toEqual([events[2]!.id, events[1]!.id]);
    expect(await ids(`email=bob%40example.com&type=charge.refunded`)).toEqual([events[4]!.id]);
    expect(await ids('email=nobody%40example.com')).toEqual([]);
  });

  it('pages by event, every consumer’s record of an event on the same page', async () => {
    const pages: string[][] = [];
    let before: string | null = null;
    do {
      const query: string = before ? `&before=${encodeURIComponent(before)}` : '';
      const { status, body }: { status: number; body: Answer } = await get(
        `/admin/stripe-events?limit=2${query}`,
      );
      expect(status).toBe(200);
      expect(body.items.every((i) => i.consumers.length === 2)).toBe(true);
      pages.push(body.items.map((i) => i.id));
      before = body.nextBefore;
    } while (before && pages.length < 10);
    expect(pages).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);
  });

  it('refuses what it cannot search by, and callers without the token', async () => {
    for (const query of [
      'type=Not%20a%20type',
      'email=not-an-email',
      'since=yesterday',
      'limit=500',
      'before=evt_123',
    ]) {
      const { status, body } = await get<{ error: { code: string } }>(`/admin/stripe-events?${query}`);
      expect([query, status]).toEqual([query, 400]);
      expect(body.error.code).toBeTruthy();
    }
    expect((await get('/admin/stripe-events', 'wrong-token-0123456789')).status).toBe(401);
    expect((await get('/admin/consumers', 'wrong-token-0123456789')).status).toBe(401);
  });

  it('shows each consumer’s lag and the stream’s messages per Stripe event type', async () => {
    type Consumers = {
      consumers: Array<{
        consumer: string;
        stream: string;
        pending: number;
        ackPending: number;
        lastDelivered: { streamSequence: number; at: string | null };
      }>;
      missing: string[];
      streams: Array<{
        stream: string;
        messages: number;
        subjects: Array<{ subject: string; messages: number }>;
      }>;
    };
    const { status, body } = await get<Consumers>('/admin/consumers');
    expect(status).toBe(200);
    const byName = Object.fromEntries(body.consumers.map((c) => [c.consumer, c]));
    expect(byName[MAIN.durable]).toMatchObject({
      stream: STRIPE_EVENTS_STREAM.name,
      pending: 0,
      ackPending: 0,
      lastDelivered: { streamSequence: 5 },
    });
    expect(byName[MAIN.durable]!.lastDelivered.at).not.toBeNull();
    // Declared, never consumed: everything stored is its lag.
    expect(byName[IDLE.durable]).toMatchObject({
      pending: 5,
      lastDelivered: { streamSequence: 0, at: null },
    });
    expect(body.missing).toEqual([]);
    expect(body.streams).toEqual([
      {
        stream: STRIPE_EVENTS_STREAM.name,
        messages: 5,
        firstAt: expect.any(String),
        subjects: [
          { subject: stripeEventSubject('checkout.session.completed'), messages: 2 },
          { subject: stripeEventSubject('charge.refunded'), messages: 1 },
          { subject: stripeEventSubject('customer.updated'), messages: 1 },
          { subject: stripeEventSubject('invoice.paid'), messages: 1 },
        ],
      },
    ]);

    // A consumer deleted on the server is reported missing, the others still answer.
    await nats.jsm.consumers.delete(STRIPE_EVENTS_STREAM.name, IDLE.durable);
    const after = (await get<Consumers>('/admin/consumers')).body;
    expect(after.missing).toEqual([IDLE.durable]);
    expect(after.consumers.map((c) => c.consumer).sort()).toEqual([AUDIT.durable, MAIN.durable].sort());
  });

  it('answers every query from an index', async () => {
    await queries.expectIndexed(db);
  });
});
