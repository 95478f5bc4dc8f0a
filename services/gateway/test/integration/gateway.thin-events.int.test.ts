import { randomBytes } from 'node:crypto';
import { STRIPE_EVENTS_STREAM, declareStreams } from '@billing/contracts';
import {
  connectNats,
  createLogger,
  createStripeClient,
  type HttpApp,
  type NatsHandle,
} from '@billing/runtime';
import {
  connectTestNats,
  newWebhookSecret,
  signStripePayload,
  startFakeStripe,
  testEnv,
  type FakeStripe,
  type TestNats,
} from '@billing/testkit';
import { buildGatewayApp } from '../../src/app';
import { jetStreamEventPublisher } from '../../src/publisher';
import { natsReadiness } from '../../src/readiness';
import { stripeEventSource } from '../../src/thin-events';

const logger = createLogger({ service: 'gateway-test', version: 'test', level: 'silent' });
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A v1 snapshot event as `GET /v1/events/:id` returns it. */
function snapshotEvent(type = 'invoice.paid') {
  return {
    id: `evt_1${hex(12)}`,
    object: 'event' as const,
    api_version: '2025-03-31.basil',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: { id: `in_${hex(8)}`, object: 'invoice', amount_paid: 4900, currency: 'usd', status: 'paid' },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

/** A thin notification as an event destination with thin payloads posts it. */
function notification(type: string, extra: Record<string, unknown> = {}) {
  return {
    id: `evt_test_65${hex(20)}`,
    object: 'v2.core.event' as const,
    type,
    livemode: false,
    created: new Date().toISOString(),
    context: null,
    related_object: { id: `in_${hex(8)}`, type: 'invoice', url: '/v1/invoices/in_1' },
    ...extra,
  };
}

/** The full v2 event `GET /v2/core/events/:id` returns for a notification: the same fields and `data`. */
function v2Event(thin: ReturnType<typeof notification>, data: Record<string, unknown> = {}) {
  return { ...thin, data, reason: { type: 'request', request: { id: 'req_v2x', idempotency_key: 'k-1' } } };
}

describe('gateway with thin event notifications', () => {
  const secret = newWebhookSecret();
  const thinSecret = newWebhookSecret();
  let fake: FakeStripe;
  let testNats: TestNats;
  let nats: NatsHandle;
  let gateway: HttpApp;
  let withoutApi: HttpApp;
  let withoutThinSecret: HttpApp;

  const build = (thinWebhookSecrets: string[], api: boolean) =>
    buildGatewayApp({
      config: {
        webhookSecrets: [secret],
        thinWebhookSecrets,
        toleranceSeconds: 300,
        maxBodyBytes: 1024 * 1024,
      },
      logger,
      publisher: jetStreamEventPublisher(nats, 2000, logger),
      ...(api && {
        stripeEvents: stripeEventSource(
          createStripeClient({
            secretKey: 'sk_test_thin',
            apiUrl: fake.url,
            timeoutMs: 2000,
            maxNetworkRetries: 0,
          }),
        ),
      }),
      readiness: natsReadiness(nats),
    });

  beforeAll(async () => {
    fake = await startFakeStripe();
    testNats = await connectTestNats(testEnv().natsUrl);
    nats = await connectNats(testEnv().natsUrl, 'gateway-test', logger, 2000);
    await declareStreams(nats.jsm, [STRIPE_EVENTS_STREAM]);
    gateway = await build([thinSecret], true);
    withoutApi = await build([thinSecret], false);
    withoutThinSecret = await build([], true);
  });

  afterAll(async () => {
    await Promise.all([gateway, withoutApi, withoutThinSecret].map((app) => app?.close()));
    await nats?.close();
    await testNats?.close();
    await fake?.close();
  });

  const post = (app: HttpApp, body: unknown, signWith = thinSecret) => {
    const payload = JSON.stringify(body);
    return app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      payload,
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signStripePayload(payload, signWith),
      },
    });
  };
  const stored = async (msgId: string) =>
    (await testNats.messages(STRIPE_EVENTS_STREAM.name)).filter(
      (m) => m.header?.get('Nats-Msg-Id') === msgId,
    );

  it('stores the snapshot event a thin v1 notification names, exactly like a snapshot webhook', async () => {
    const snapshot = snapshotEvent('invoice.paid');
    fake.put(snapshot);
    const thin = notification('v1.invoice.paid', { snapshot_event: snapshot.id });

    const res = await post(gateway, thin);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: true });
    const msgs = await stored(snapshot.id);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]?.subject).toBe('stripe.event.invoice.paid');
    expect(JSON.parse(Buffer.from(msgs[0]!.data).toString('utf8'))).toEqual(snapshot);
    expect(msgs[0]?.header?.get('Stripe-Event-Type')).toBe('invoice.paid');
    expect(msgs[0]?.header?.get('Stripe-Api-Version')).toBe('2025-03-31.basil');
    expect(msgs[0]?.header?.get('Stripe-Livemode')).toBe('false');
    expect(await stored(thin.id)).toHaveLength(0);
    const fetched = fake.requests.filter((r) => r.path === `/v1/events/${snapshot.id}`);
    expect(fetched).toHaveLength(1);
    expect(fetched[0]?.headers.authorization).toBe('Bearer sk_test_thin');
  });

  it('stores once a snapshot that came both as a snapshot webhook and as a thin notification, sent twice', async () => {
    const snapshot = snapshotEvent('customer.subscription.updated');
    fake.put(snapshot);
    const snapshotRes = await post(gateway, snapshot, secret);
    expect(snapshotRes.statusCode).toBe(200);
    const thin = notification('v1.customer.subscription.updated', { snapshot_event: snapshot.id });
    const answers = [await post(gateway, thin), await post(gateway, thin)];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
    expect(await stored(snapshot.id)).toHaveLength(1);
  });

  it('stores v2 events under stripe.v2event.<type> as fetched, once', async () => {
    const meterError = notification('v1.billing.meter.error_report_triggered', {
      related_object: { id: 'mtr_test_1', type: 'billing.meter', url: '/v1/billing/meters/mtr_test_1' },
    });
    const full = v2Event(meterError, {
      developer_message_summary: 'There is 1 invalid event',
      reason: { error_count: 1, error_types: [{ code: 'meter_event_no_customer_defined', error_count: 1 }] },
      validation_start: '2025-11-03T10:00:00.000Z',
      validation_end: '2025-11-03T10:15:00.000Z',
    });
    const ping = notification('v2.core.event_destination.ping', {
      related_object: {
        id: 'ed_test_1',
        type: 'v2.core.event_destination',
        url: '/v2/core/event_destinations/ed_test_1',
      },
    });
    fake.put(full, v2Event(ping));

    for (const thin of [meterError, meterError, ping])
      expect((await post(gateway, thin)).statusCode).toBe(200);

    const errors = await stored(meterError.id);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.subject).toBe('stripe.v2event.v1.billing.meter.error_report_triggered');
    expect(JSON.parse(Buffer.from(errors[0]!.data).toString('utf8'))).toEqual(full);
    expect(errors[0]?.header?.get('Stripe-Event-Type')).toBe('v1.billing.meter.error_report_triggered');
    const pings = await stored(ping.id);
    expect(pings.map((m) => m.subject)).toEqual(['stripe.v2event.v2.core.event_destination.ping']);
    expect(fake.requests.filter((r) => r.path === `/v2/core/events/${meterError.id}`)).toHaveLength(2);
  });

  it("fetches a connected account's event in its context", async () => {
    const snapshot = snapshotEvent('charge.refunded');
    fake.put(snapshot);
    const thin = notification('v1.charge.refunded', {
      snapshot_event: snapshot.id,
      context: 'acct_1Connected',
    });
    expect((await post(gateway, thin)).statusCode).toBe(200);
    const fetched = fake.requests.find((r) => r.path === `/v1/events/${snapshot.id}`);
    expect(fetched?.headers['stripe-context']).toBe('acct_1Connected');
    expect(await stored(snapshot.id)).toHaveLength(1);
  });

  describe('refuses or defers, storing nothing', () => {
    it('400 for a notification signed with another secret (also the snapshot one)', async () => {
      const thin = notification('v2.core.event_destination.ping');
      fake.put(v2Event(thin));
      for (const other of [newWebhookSecret(), secret]) {
        const res = await post(gateway, thin, other);
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual({ error: { code: 'signature_mismatch', message: expect.any(String) } });
      }
      expect(await stored(thin.id)).toHaveLength(0);
    });

    it('400 naming STRIPE_THIN_WEBHOOK_SECRET when none is configured', async () => {
      const thin = notification('v2.core.event_destination.ping');
      fake.put(v2Event(thin));
      const res = await post(withoutThinSecret, thin);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('thin_events_not_configured');
      expect(res.json().error.message).toMatch(/STRIPE_THIN_WEBHOOK_SECRET/);
      expect(await stored(thin.id)).toHaveLength(0);
    });

    it('503 without a Stripe API key, so Stripe retries while the operator sets it', async () => {
      const snapshot = snapshotEvent();
      fake.put(snapshot);
      const res = await post(withoutApi, notification('v1.invoice.paid', { snapshot_event: snapshot.id }));
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('stripe_api_not_configured');
      expect(await stored(snapshot.id)).toHaveLength(0);
    });

    it('503 while Stripe API fails, then stores the event once Stripe retries', async () => {
      const snapshot = snapshotEvent();
      fake.put(snapshot);
      const thin = notification('v1.invoice.paid', { snapshot_event: snapshot.id });
      for (const status of [500, 429]) {
        fake.failNext(1, status);
        const res = await post(gateway, thin);
        expect(res.statusCode).toBe(503);
        expect(res.json().error.code).toBe('stripe_api_unavailable');
        expect(await stored(snapshot.id)).toHaveLength(0);
      }
      expect((await post(gateway, thin)).statusCode).toBe(200);
      expect(await stored(snapshot.id)).toHaveLength(1);
    });

    it('503 while Stripe API cannot be reached at all', async () => {
      const closed = await startFakeStripe();
      await closed.close();
      const unreachable = await buildGatewayApp({
        config: {
          webhookSecrets: [secret],
          thinWebhookSecrets: [thinSecret],
          toleranceSeconds: 300,
          maxBodyBytes: 1024 * 1024,
        },
        logger,
        publisher: jetStreamEventPublisher(nats, 2000, logger),
        stripeEvents: stripeEventSource(
          createStripeClient({
            secretKey: 'sk_test_thin',
            apiUrl: closed.url,
            timeoutMs: 1000,
            maxNetworkRetries: 0,
          }),
        ),
        readiness: {},
      });
      try {
        const thin = notification('v2.core.event_destination.ping');
        const res = await post(unreachable, thin);
        expect(res.statusCode).toBe(503);
        expect(res.json().error.code).toBe('stripe_api_unavailable');
        expect(await stored(thin.id)).toHaveLength(0);
      } finally {
        await unreachable.close();
      }
    });

    it('400 when Stripe has no such event', async () => {
      const missingId = `evt_1${hex(12)}`;
      const missingSnapshot = notification('v1.invoice.paid', { snapshot_event: missingId });
      const missingV2 = notification('v2.core.event_destination.ping');
      for (const thin of [missingSnapshot, missingV2]) {
        const res = await post(gateway, thin);
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('event_not_found');
      }
      expect(await stored(missingId)).toHaveLength(0);
      expect(await stored(missingV2.id)).toHaveLength(0);
    });
  });
});
