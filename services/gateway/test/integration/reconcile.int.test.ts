import { randomBytes } from 'node:crypto';
import { CONSUMED_STRIPE_EVENT_TYPES, STRIPE_EVENTS_STREAM, declareStreams } from '@billing/contracts';
import {
  connectNats,
  createLogger,
  createStripeClient,
  ServiceUnavailableError,
  type NatsHandle,
} from '@billing/runtime';
import {
  connectTestNats,
  startFakeStripe,
  stripeFixtures,
  testEnv,
  type FakeStripe,
  type TestNats,
} from '@billing/testkit';
import { buildGatewayApp } from '../../src/app';
import { jetStreamEventPublisher, type StripeEventPublisher } from '../../src/publisher';
import { natsReadiness } from '../../src/readiness';
import { StripeReconciler, type ReconcilerOptions } from '../../src/reconcile/reconciler';
import { keyValueReconcilerState, type ReconcilerState } from '../../src/reconcile/reconciler-state';
import { stripeEventLister } from '../../src/reconcile/stripe-event-lister';

const { checkoutSession, makeEvent } = stripeFixtures;
const logger = createLogger({ service: 'gateway-test', version: 'test', level: 'silent' });
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('reconciliation from Stripe’s Events API', () => {
  let testNats: TestNats;
  let nats: NatsHandle;
  let fake: FakeStripe;
  let publisher: StripeEventPublisher;
  let state: ReconcilerState;
  const waits: number[] = [];

  beforeAll(async () => {
    const { natsUrl } = testEnv();
    testNats = await connectTestNats(natsUrl);
    nats = await connectNats(natsUrl, 'gateway-test', logger, 2000);
    await declareStreams(nats.jsm, [STRIPE_EVENTS_STREAM]);
    fake = await startFakeStripe();
    publisher = jetStreamEventPublisher(nats, 2000, logger);
    state = await keyValueReconcilerState(nats);
  });

  afterAll(async () => {
    await nats.close();
    await testNats.close();
    await fake.close();
  });

  /** A reconciler for its own account label, so tests do not share a cursor or a lease. */
  function reconciler(options: Partial<ReconcilerOptions> = {}, reconcilerState = state) {
    const stripe = createStripeClient({
      secretKey: 'sk_test_reconcile',
      apiUrl: fake.url,
      timeoutMs: 5000,
      maxNetworkRetries: 0,
    });
    return new StripeReconciler({
      lister: stripeEventLister(stripe, CONSUMED_STRIPE_EVENT_TYPES, logger, async (ms) => {
        waits.push(ms);
      }),
      publisher,
      state: reconcilerState,
      logger,
      options: { account: `acct-${randomBytes(4).toString('hex')}`, intervalMs: 0, ...options },
    });
  }

  /** `count` paid checkouts Stripe has as events, created `agoSeconds` ago. */
  function stripeHas(count: number, agoSeconds = 60) {
    const events = Array.from({ length: count }, () =>
      makeEvent('checkout.session.completed', checkoutSession(), { created: nowSeconds() - agoSeconds }),
    );
    fake.put(...events);
    return events;
  }

  const copiesOf = async (ids: readonly string[]) => {
    const wanted = new Set(ids);
    const msgs = await testNats.messages(STRIPE_EVENTS_STREAM.name);
    const counts = new Map<string, number>();
    for (const m of msgs) {
      const id = m.header?.get('Nats-Msg-Id') ?? '';
      if (wanted.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return ids.map((id) => counts.get(id) ?? 0);
  };

  it('stores every event the stream lacks, once, over several pages, and says what it found', async () => {
    const events = stripeHas(130);
    // One arrived by webhook already; one is of a type no service consumes; one is older than the range.
    await publisher.publish(events[0]!, Buffer.from(JSON.stringify(events[0])));
    fake.put(makeEvent('customer.created', { id: 'cus_x', object: 'customer' }));
    const old = makeEvent('checkout.session.completed', checkoutSession(), { created: nowSeconds() - 7200 });
    fake.put(old);

    const range = { since: new Date(Date.now() - 600_000), until: new Date() };
    const first = await reconciler().reconcile(range);
    expect(first).toMatchObject({ found: 130, alreadyPresent: 1, stored: 129 });
    expect(await copiesOf(events.map((e) => e.id))).toEqual(events.map(() => 1));
    expect(await copiesOf([old.id])).toEqual([0]);
    const stored = (await testNats.messages(STRIPE_EVENTS_STREAM.name)).find(
      (m) => m.header?.get('Nats-Msg-Id') === events[1]!.id,
    );
    expect(stored?.subject).toBe('stripe.event.checkout.session.completed');
    expect(JSON.parse(Buffer.from(stored!.data).toString())).toEqual(events[1]);

    const again = await reconciler().reconcile(range);
    expect(again).toMatchObject({ found: 130, alreadyPresent: 130, stored: 0 });
    expect(await copiesOf(events.map((e) => e.id))).toEqual(events.map(() => 1));
  });

  it('waits what Retry-After says when Stripe rate-limits, then goes on', async () => {
    const [event] = stripeHas(1);
    waits.length = 0;
    fake.failNext(1, 429, 3);
    const result = await reconciler().reconcile({ since: new Date(Date.now() - 120_000), until: new Date() });
    expect(waits).toEqual([3000]);
    expect(result.stored).toBeGreaterThanOrEqual(1);
    expect(await copiesOf([event!.id])).toEqual([1]);
  });

  it('gives up after repeated failures with a 503-class error and keeps the cursor where it was', async () => {
    const r = reconciler();
    fake.failNext(6, 500);
    await expect(r.runScheduled()).rejects.toBeInstanceOf(ServiceUnavailableError);
    fake.failNext(0);
    // No cursor was saved: the next run still starts from the first look-back.
    const before = fake.requests.length;
    await r.runScheduled();
    const listed = fake.requests.slice(before).find((q) => q.path === '/v1/events');
    expect(Number(listed?.query.get('created[gte]'))).toBeLessThanOrEqual(nowSeconds() - 3500);
  });

  it('continues from its cursor, with an overlap, after a restart', async () => {
    const account = `acct-${randomBytes(4).toString('hex')}`;
    const first = await reconciler({ account }).runScheduled();
    expect(first).toBeDefined();
    const cursor = await state.cursor(account);
    expect(cursor?.until).toBeGreaterThanOrEqual(nowSeconds() - 5);

    const missed = stripeHas(2, 1);
    const before = fake.requests.length;
    // A new process: a new reconciler and a new handle on the bucket.
    const second = await reconciler({ account }, await keyValueReconcilerState(nats)).runScheduled();
    expect(second).toMatchObject({ stored: 2 });
    const listed = fake.requests.slice(before).find((q) => q.path === '/v1/events');
    expect(Number(listed?.query.get('created[gte]'))).toBe(cursor!.until - 600);
    expect(await copiesOf(missed.map((e) => e.id))).toEqual([1, 1]);
  });

  it('lets one replica at a time run, and another take over an expired lease', async () => {
    const account = `acct-${randomBytes(4).toString('hex')}`;
    fake.setLatency(300);
    try {
      const replicas = [
        reconciler({ account }),
        reconciler({ account }, await keyValueReconcilerState(nats)),
      ];
      const results = await Promise.all(replicas.map((r) => r.runScheduled()));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    } finally {
      fake.setLatency(0);
    }
    // A replica that died holding the lease: once it expires another replica runs.
    const other = `acct-${randomBytes(4).toString('hex')}`;
    expect(await state.lease(other, 'crashed-replica', 50)).toBeDefined();
    expect(await reconciler({ account: other }).runScheduled()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await reconciler({ account: other }).runScheduled()).toBeDefined();
  });

  describe('POST /admin/reconcile', () => {
    const adminToken = randomBytes(16).toString('hex');
    const app = (withReconciler: boolean) =>
      buildGatewayApp({
        config: { webhookSecrets: ['whsec_x'], toleranceSeconds: 300, maxBodyBytes: 1 << 20, adminToken },
        logger,
        publisher,
        ...(withReconciler && { reconciler: reconciler() }),
        readiness: natsReadiness(nats),
      });
    const auth = { authorization: `Bearer ${adminToken}` };

    it('answers what it found, already present and stored for a time range', async () => {
      const events = stripeHas(3, 30);
      const gateway = await app(true);
      const since = new Date(Date.now() - 60_000).toISOString();
      const res = await gateway.inject({
        method: 'POST',
        url: `/admin/reconcile?since=${since}`,
        headers: auth,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ since: expect.any(String), until: expect.any(String) });
      expect(res.json().found).toBeGreaterThanOrEqual(3);
      expect(res.json().found).toBe(res.json().alreadyPresent + res.json().stored);
      expect(await copiesOf(events.map((e) => e.id))).toEqual([1, 1, 1]);
      await gateway.close();
    });

    it('refuses without the token, a bad range, and says when Stripe access is not configured', async () => {
      const gateway = await app(true);
      const since = new Date(Date.now() - 60_000).toISOString();
      expect(
        (await gateway.inject({ method: 'POST', url: `/admin/reconcile?since=${since}` })).statusCode,
      ).toBe(401);
      const missing = await gateway.inject({ method: 'POST', url: '/admin/reconcile', headers: auth });
      expect(missing.statusCode).toBe(400);
      const reversed = await gateway.inject({
        method: 'POST',
        url: `/admin/reconcile?since=${since}&until=2020-01-01T00:00:00Z`,
        headers: auth,
      });
      expect(reversed.statusCode).toBe(400);
      expect(reversed.json().error.code).toBe('invalid_range');
      await gateway.close();

      const off = await app(false);
      const res = await off.inject({ method: 'POST', url: `/admin/reconcile?since=${since}`, headers: auth });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('reconciliation_off');
      await off.close();
    });
  });
});
