import { STRIPE_EVENTS_STREAM } from '@billing/contracts';
import {
  connectTestNats,
  freePort,
  newWebhookSecret,
  signStripePayload,
  startNatsServer,
  waitFor,
  type LocalServer,
  type TestNats,
} from '@billing/testkit';
import { stripeEventJson, useGateway } from './harness';

describe('gateway against real JetStream', () => {
  const secret = newWebhookSecret();
  const h = useGateway({ secrets: [secret] });
  const stored = (eventId: string) => h.stored(eventId);

  it('stores a signed event byte for byte under its type subject, then answers 200', async () => {
    const body = stripeEventJson();
    const id = JSON.parse(body).id as string;
    const res = await h.post(body, { 'stripe-signature': signStripePayload(body, secret) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: true });
    const msgs = await stored(id);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]?.subject).toBe('stripe.event.checkout.session.completed');
    expect(Buffer.from(msgs[0]!.data).toString('utf8')).toBe(body);
    expect(msgs[0]?.header?.get('Stripe-Event-Type')).toBe('checkout.session.completed');
  });

  it('accepts the second path with the same handler', async () => {
    const body = stripeEventJson('invoice.paid');
    const res = await h.post(
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
      Array.from({ length: 5 }, () => h.post(body, { 'stripe-signature': signature })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(await stored(JSON.parse(body).id)).toHaveLength(1);
  });

  it('stores events of types no service handles yet', async () => {
    const body = stripeEventJson('customer.tax_id.created');
    const res = await h.post(body, { 'stripe-signature': signStripePayload(body, secret) });
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
      const before = (await h.nats.jsm.streams.info(STRIPE_EVENTS_STREAM.name)).state.messages;
      const { body, headers } = make();
      const res = await h.post(body, headers);
      expect(res.statusCode).toBe(status);
      expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
      const after = (await h.nats.jsm.streams.info(STRIPE_EVENTS_STREAM.name)).state.messages;
      expect(after).toBe(before);
    });

    it('answers 415 to a body that is not application/json', async () => {
      const body = stripeEventJson();
      const res = await h.service.http.inject({
        method: 'POST',
        url: '/api/billing/webhooks',
        payload: body,
        headers: { 'content-type': 'text/plain', 'stripe-signature': signStripePayload(body, secret) },
      });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('unsupported_media_type');
    });

    it('answers 413 to a body over the limit', async () => {
      const small = await h.startGateway({ secrets: [secret], maxBodyBytes: 2048 });
      try {
        const body = JSON.stringify({ ...JSON.parse(stripeEventJson()), padding: 'x'.repeat(4096) });
        const res = await h.post(
          body,
          { 'stripe-signature': signStripePayload(body, secret) },
          undefined,
          small.http,
        );
        expect(res.statusCode).toBe(413);
        expect(res.json().error.code).toBe('payload_too_large');
      } finally {
        await small.close();
      }
    });
  });

  it('verifies with either secret of a rolled pair', async () => {
    const next = newWebhookSecret();
    const rolled = await h.startGateway({ secrets: [secret, next] });
    try {
      for (const s of [secret, next]) {
        const body = stripeEventJson();
        const res = await h.post(
          body,
          { 'stripe-signature': signStripePayload(body, s) },
          undefined,
          rolled.http,
        );
        expect(res.statusCode).toBe(200);
        expect(await stored(JSON.parse(body).id)).toHaveLength(1);
      }
    } finally {
      await rolled.close();
    }
  });

  it('reports health and readiness', async () => {
    expect((await h.service.http.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await h.service.http.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toEqual({ nats: true, stream: true });
  });
});

describe('gateway while JetStream is down', () => {
  const secret = newWebhookSecret();
  let server: LocalServer;
  let testNats: TestNats;

  beforeAll(async () => {
    server = await startNatsServer();
  });
  const h = useGateway(() => ({ secrets: [secret], natsUrl: server.url }));
  afterAll(async () => {
    await testNats?.close();
    await server.destroy();
  });

  it('answers 503 so Stripe retries, then stores the same event once NATS is back', async () => {
    const body = stripeEventJson();
    const id = JSON.parse(body).id as string;
    await server.stop();
    await waitFor(() => !h.infra.nats.isConnected(), { what: 'client to notice the outage' });

    const down = await h.post(body, { 'stripe-signature': signStripePayload(body, secret) });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ error: { code: 'store_unavailable', message: expect.any(String) } });
    const notReady = await h.service.http.inject({ url: '/readyz' });
    expect(notReady.statusCode).toBe(503);

    await server.start();
    await waitFor(() => h.infra.nats.isConnected(), { timeoutMs: 15_000, what: 'client to reconnect' });
    const up = await h.post(body, { 'stripe-signature': signStripePayload(body, secret) });
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
  let monitorPort: number;

  beforeAll(async () => {
    monitorPort = await freePort();
    server = await startNatsServer({ extraConfig: `max_payload: 65536\nhttp_port: ${monitorPort}` });
  });
  const h = useGateway(() => ({ secrets: [secret], natsUrl: server.url, maxBodyBytes: 1024 * 1024 }));

  it('runs on a nats-server that writes every message to disk before acknowledging it', async () => {
    // The project's nats-server.conf, which npm start, compose and the tests use.
    const varz = (await (await fetch(`http://127.0.0.1:${monitorPort}/varz`)).json()) as {
      jetstream: { config: { sync_always?: boolean } };
    };
    expect(varz.jetstream.config.sync_always).toBe(true);
  });

  afterAll(async () => {
    await server.destroy();
  });

  it('answers 413 at once to a verified event NATS could never store, and stores one that fits', async () => {
    const padded = (bytes: number) => {
      const event = JSON.parse(stripeEventJson());
      event.data.object.metadata = { note: 'x'.repeat(bytes) };
      return JSON.stringify(event);
    };
    const tooLarge = padded(100 * 1024);
    const res = await h.post(tooLarge, {
      'stripe-signature': signStripePayload(tooLarge, secret),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    const fits = padded(40 * 1024);
    const ok = await h.post(fits, { 'stripe-signature': signStripePayload(fits, secret) });
    expect(ok.statusCode).toBe(200);
  });

  it('declares the Stripe events stream again when it was deleted', async () => {
    await h.infra.nats.jsm.streams.delete(STRIPE_EVENTS_STREAM.name);
    const body = stripeEventJson();
    const first = await h.post(body, { 'stripe-signature': signStripePayload(body, secret) });
    expect(first.statusCode).toBe(503); // Stripe retries ...
    const again = await waitFor(
      async () => {
        const res = await h.post(body, { 'stripe-signature': signStripePayload(body, secret) });
        return res.statusCode === 200 && res;
      },
      { what: 'stored in the declared stream', timeoutMs: 10_000, intervalMs: 300 },
    );
    expect(again.json()).toEqual({ received: true });
    expect((await h.infra.nats.jsm.streams.info(STRIPE_EVENTS_STREAM.name)).state.messages).toBe(1);
  });
});
