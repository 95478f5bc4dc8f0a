import { randomBytes } from 'node:crypto';
import { STRIPE_EVENTS_STREAM, declareStreams } from '@billing/contracts';
import { connectNats, createLogger, type HttpApp, type NatsHandle } from '@billing/runtime';
import {
  connectTestNats,
  freePort,
  newWebhookSecret,
  resetStreams,
  signStripePayload,
  startNatsServer,
  testEnv,
  waitFor,
  type LocalServer,
  type TestNats,
} from '@billing/testkit';
import { buildGatewayApp } from '../../src/app';
import { effectiveBodyLimit } from '../../src/config';
import { jetStreamEventPublisher } from '../../src/publisher';
import { natsReadiness } from '../../src/readiness';

const logger = createLogger({ service: 'gateway-test', version: 'test', level: 'silent' });

/** A whole `checkout.session.completed` event as API version 2025-03-31.basil sends it (trimmed of nothing we check). */
function stripeEventJson(
  id = `evt_${randomBytes(12).toString('hex')}`,
  type = 'checkout.session.completed',
): string {
  const created = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2025-03-31.basil',
    created,
    data: {
      object: {
        id: `cs_test_${randomBytes(16).toString('hex')}`,
        object: 'checkout.session',
        amount_subtotal: 4900,
        amount_total: 4900,
        currency: 'usd',
        customer: 'cus_Q1w2e3r4t5y6u7',
        customer_details: { email: 'ada@example.com', name: 'Ada Lovelace' },
        mode: 'payment',
        payment_status: 'paid',
        status: 'complete',
        metadata: { orderId: 'cart-42' },
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  });
}

interface Harness {
  app: HttpApp;
  nats: NatsHandle;
  close(): Promise<void>;
}

async function startGateway(
  natsUrl: string,
  secrets: string[],
  maxBodyBytes = 1024 * 1024,
): Promise<Harness> {
  const nats = await connectNats(natsUrl, 'gateway-test', logger, 2000);
  await declareStreams(nats.jsm, [STRIPE_EVENTS_STREAM]);
  // As main.ts does: never more than NATS can store.
  const limit = effectiveBodyLimit(maxBodyBytes, nats.nc.info?.max_payload, logger);
  const app = await buildGatewayApp({
    config: { webhookSecrets: secrets, toleranceSeconds: 300, maxBodyBytes: limit },
    logger,
    publisher: jetStreamEventPublisher(nats, 2000, logger),
    readiness: natsReadiness(nats),
  });
  await app.ready();
  return {
    app,
    nats,
    close: async () => {
      await app.close();
      await nats.close();
    },
  };
}

function post(app: HttpApp, body: string, headers: Record<string, string>, url = '/api/billing/webhooks') {
  return app.inject({
    method: 'POST',
    url,
    payload: body,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

describe('gateway against real JetStream', () => {
  const secret = newWebhookSecret();
  let testNats: TestNats;
  let gateway: Harness;

  beforeAll(async () => {
    const { natsUrl } = testEnv();
    testNats = await connectTestNats(natsUrl);
    await resetStreams(testNats.jsm);
    gateway = await startGateway(natsUrl, [secret]);
  });

  afterAll(async () => {
    await gateway.close();
    await testNats.close();
  });

  const stored = (eventId: string) =>
    testNats
      .messages(STRIPE_EVENTS_STREAM.name)
      .then((msgs) => msgs.filter((m) => m.header?.get('Nats-Msg-Id') === eventId));

  it('stores a signed event byte for byte under its type subject, then answers 200', async () => {
    const body = stripeEventJson();
    const id = JSON.parse(body).id as string;
    const res = await post(gateway.app, body, { 'stripe-signature': signStripePayload(body, secret) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: true });
    const msgs = await stored(id);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]?.subject).toBe('stripe.event.checkout.session.completed');
    expect(Buffer.from(msgs[0]!.data).toString('utf8')).toBe(body);
    expect(msgs[0]?.header?.get('Stripe-Event-Type')).toBe('checkout.session.completed');
  });

  it('accepts the second path with the same handler', async () => {
    const body = stripeEventJson(undefined, 'invoice.paid');
    const res = await post(
      gateway.app,
      body,
      { 'stripe-signature': signStripePayload(body, secret) },
      '/webhooks/stripe',
    );
    expect(res.statusCode).toBe(200);
    expect(await stored(JSON.parse(body).id)).toHaveLength(1);
  });

  it('stores an event posted 5 times concurrently once, answering 200 to each', async () => {
    const body = stripeEventJson();
    const signature = signStripePayload(body, secret);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => post(gateway.app, body, { 'stripe-signature': signature })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(await stored(JSON.parse(body).id)).toHaveLength(1);
  });

  it('stores events of types no service handles yet', async () => {
    const body = stripeEventJson(undefined, 'customer.tax_id.created');
    const res = await post(gateway.app, body, { 'stripe-signature': signStripePayload(body, secret) });
    expect(res.statusCode).toBe(200);
    const msgs = await stored(JSON.parse(body).id);
    expect(msgs[0]?.subject).toBe('stripe.event.customer.tax_id.created');
  });

  describe('rejects bad input with a JSON error and stores nothing', () => {
    const cases: Array<[string, () => { body: string; headers: Record<string, string> }, number, string]> = [
      ['no signature header', () => ({ body: stripeEventJson(), headers: {} }), 400, 'missing_signature'],
      [
        'a malformed signature header',
        () => ({ body: stripeEventJson(), headers: { 'stripe-signature': 'garbage' } }),
        400,
        'malformed_signature',
      ],
      [
        'a signature made with another secret',
        () => {
          const body = stripeEventJson();
          return { body, headers: { 'stripe-signature': signStripePayload(body, newWebhookSecret()) } };
        },
        400,
        'signature_mismatch',
      ],
      [
        'a body changed after signing',
        () => {
          const body = stripeEventJson();
          const signature = signStripePayload(body, secret);
          return { body: body.replace('4900', '1'), headers: { 'stripe-signature': signature } };
        },
        400,
        'signature_mismatch',
      ],
      [
        'a timestamp older than the tolerance',
        () => {
          const body = stripeEventJson();
          const old = Math.floor(Date.now() / 1000) - 301;
          return { body, headers: { 'stripe-signature': signStripePayload(body, secret, old) } };
        },
        400,
        'timestamp_out_of_tolerance',
      ],
      [
        'a validly signed body that is not JSON',
        () => {
          const body = 'evt_not_json{';
          return { body, headers: { 'stripe-signature': signStripePayload(body, secret) } };
        },
        400,
        'invalid_event',
      ],
      [
        'validly signed JSON that is not a Stripe event',
        () => {
          const body = JSON.stringify({ id: 'evt_123', hello: 'world' });
          return { body, headers: { 'stripe-signature': signStripePayload(body, secret) } };
        },
        400,
        'invalid_event',
      ],
      [
        'a thin event notification while STRIPE_THIN_WEBHOOK_SECRET is unset',
        () => {
          const body = JSON.stringify({
            id: 'evt_test_65R9Ijk8ixmEoZV6r1d16RGTOyXbSQkvaZHBXqjOKSuUcmq',
            object: 'v2.core.event',
            type: 'v1.billing.meter.error_report_triggered',
            livemode: false,
            created: new Date().toISOString(),
            related_object: {
              id: 'mtr_test_123',
              type: 'billing.meter',
              url: '/v1/billing/meters/mtr_test_123',
            },
          });
          return { body, headers: { 'stripe-signature': signStripePayload(body, secret) } };
        },
        400,
        'thin_events_not_configured',
      ],
    ];

    it.each(cases)('%s', async (_name, make, status, code) => {
      const before = (await testNats.jsm.streams.info(STRIPE_EVENTS_STREAM.name)).state.messages;
      const { body, headers } = make();
      const res = await post(gateway.app, body, headers);
      expect(res.statusCode).toBe(status);
      expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
      const after = (await testNats.jsm.streams.info(STRIPE_EVENTS_STREAM.name)).state.messages;
      expect(after).toBe(before);
    });

    it('answers 415 to a body that is not application/json', async () => {
      const body = stripeEventJson();
      const res = await gateway.app.inject({
        method: 'POST',
        url: '/api/billing/webhooks',
        payload: body,
        headers: { 'content-type': 'text/plain', 'stripe-signature': signStripePayload(body, secret) },
      });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('unsupported_media_type');
    });

    it('answers 413 to a body over the limit', async () => {
      const small = await startGateway(testEnv().natsUrl, [secret], 2048);
      try {
        const body = JSON.stringify({ ...JSON.parse(stripeEventJson()), padding: 'x'.repeat(4096) });
        const res = await post(small.app, body, { 'stripe-signature': signStripePayload(body, secret) });
        expect(res.statusCode).toBe(413);
        expect(res.json().error.code).toBe('payload_too_large');
      } finally {
        await small.close();
      }
    });
  });

  it('verifies with either secret of a rolled pair', async () => {
    const next = newWebhookSecret();
    const rolled = await startGateway(testEnv().natsUrl, [secret, next]);
    try {
      for (const s of [secret, next]) {
        const body = stripeEventJson();
        const res = await post(rolled.app, body, { 'stripe-signature': signStripePayload(body, s) });
        expect(res.statusCode).toBe(200);
        expect(await stored(JSON.parse(body).id)).toHaveLength(1);
      }
    } finally {
      await rolled.close();
    }
  });

  it('reports health and readiness', async () => {
    expect((await gateway.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await gateway.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toEqual({ nats: true, stream: true });
  });
});

describe('gateway while JetStream is down', () => {
  const secret = newWebhookSecret();
  let server: LocalServer;
  let gateway: Harness;
  let testNats: TestNats;

  beforeAll(async () => {
    server = await startNatsServer();
    gateway = await startGateway(server.url, [secret]);
  });

  afterAll(async () => {
    await gateway.close();
    await testNats?.close();
    await server.destroy();
  });

  it('answers 503 so Stripe retries, then stores the same event once NATS is back', async () => {
    const body = stripeEventJson();
    const id = JSON.parse(body).id as string;
    await server.stop();
    await waitFor(() => !gateway.nats.isConnected(), { what: 'client to notice the outage' });

    const down = await post(gateway.app, body, { 'stripe-signature': signStripePayload(body, secret) });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ error: { code: 'store_unavailable', message: expect.any(String) } });
    const notReady = await gateway.app.inject({ url: '/readyz' });
    expect(notReady.statusCode).toBe(503);

    await server.start();
    await waitFor(() => gateway.nats.isConnected(), { timeoutMs: 15_000, what: 'client to reconnect' });
    const up = await post(gateway.app, body, { 'stripe-signature': signStripePayload(body, secret) });
    expect(up.statusCode).toBe(200);

    testNats = await connectTestNats(server.url);
    const msgs = (await testNats.messages(STRIPE_EVENTS_STREAM.name)).filter(
      (m) => m.header?.get('Nats-Msg-Id') === id,
    );
    expect(msgs).toHaveLength(1);
    expect(Buffer.from(msgs[0]!.data).toString('utf8')).toBe(body);
  });
});

describe('gateway against a NATS that takes less than the configured body limit', () => {
  const secret = newWebhookSecret();
  let server: LocalServer;
  let gateway: Harness;
  let monitorPort: number;

  beforeAll(async () => {
    monitorPort = await freePort();
    server = await startNatsServer({ extraConfig: `max_payload: 65536\nhttp_port: ${monitorPort}` });
    gateway = await startGateway(server.url, [secret], 1024 * 1024);
  });

  it('runs on a nats-server that writes every message to disk before acknowledging it', async () => {
    // The project's nats-server.conf, which npm start, compose and the tests use.
    const varz = (await (await fetch(`http://127.0.0.1:${monitorPort}/varz`)).json()) as {
      jetstream: { config: { sync_always?: boolean } };
    };
    expect(varz.jetstream.config.sync_always).toBe(true);
  });

  afterAll(async () => {
    await gateway.close();
    await server.destroy();
  });

  it('answers 413 at once to a verified event NATS could never store, and stores one that fits', async () => {
    const padded = (bytes: number) => {
      const event = JSON.parse(stripeEventJson());
      event.data.object.metadata = { note: 'x'.repeat(bytes) };
      return JSON.stringify(event);
    };
    const tooLarge = padded(100 * 1024);
    const res = await post(gateway.app, tooLarge, {
      'stripe-signature': signStripePayload(tooLarge, secret),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    const fits = padded(40 * 1024);
    const ok = await post(gateway.app, fits, { 'stripe-signature': signStripePayload(fits, secret) });
    expect(ok.statusCode).toBe(200);
  });

  it('declares the Stripe events stream again when it was deleted', async () => {
    await gateway.nats.jsm.streams.delete(STRIPE_EVENTS_STREAM.name);
    const body = stripeEventJson();
    const first = await post(gateway.app, body, { 'stripe-signature': signStripePayload(body, secret) });
    expect(first.statusCode).toBe(503); // Stripe retries ...
    const again = await waitFor(
      async () => {
        const res = await post(gateway.app, body, { 'stripe-signature': signStripePayload(body, secret) });
        return res.statusCode === 200 && res;
      },
      { what: 'stored in the declared stream', timeoutMs: 10_000, intervalMs: 300 },
    );
    expect(again.json()).toEqual({ received: true });
    expect((await gateway.nats.jsm.streams.info(STRIPE_EVENTS_STREAM.name)).state.messages).toBe(1);
  });
});
