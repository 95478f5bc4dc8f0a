import { randomBytes } from 'node:crypto';
import { STRIPE_EVENTS_STREAM, declareStreams } from '@billing/contracts';
import {
  Metrics,
  connectNats,
  createLogger,
  publishObserver,
  type HttpApp,
  type NatsHandle,
} from '@billing/runtime';
import { metricValue, newWebhookSecret, parseMetrics, signStripePayload, testEnv } from '@billing/testkit';
import { buildGatewayApp } from '../../src/app';
import { jetStreamEventPublisher } from '../../src/publisher';
import { natsReadiness } from '../../src/readiness';

const logger = createLogger({ service: 'gateway-test', version: 'test', level: 'silent' });
const METRICS_TOKEN = 'gateway-metrics-token-0123456789';

async function gateway(nats: NatsHandle, secret: string, metricsToken?: string): Promise<HttpApp> {
  const metrics = new Metrics({ service: 'gateway' });
  const app = await buildGatewayApp({
    config: { webhookSecrets: [secret], toleranceSeconds: 300, maxBodyBytes: 64 * 1024, metricsToken },
    logger,
    metrics,
    publisher: jetStreamEventPublisher(nats, 2000, logger, publishObserver(metrics)),
    readiness: natsReadiness(nats),
  });
  await app.ready();
  return app;
}

describe('gateway metrics', () => {
  const secret = newWebhookSecret();
  let nats: NatsHandle;
  let app: HttpApp;

  beforeAll(async () => {
    nats = await connectNats(testEnv().natsUrl, 'gateway-test', logger, 2000);
    await declareStreams(nats.jsm, [STRIPE_EVENTS_STREAM]);
    app = await gateway(nats, secret, METRICS_TOKEN);
  });

  afterAll(async () => {
    await app.close();
    await nats.close();
  });

  const scrape = (authorization?: string) =>
    app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });

  it('counts a stored event by answer code and times it and its publish', async () => {
    const body = JSON.stringify({
      id: `evt_${randomBytes(12).toString('hex')}`,
      object: 'event',
      api_version: '2025-03-31.basil',
      created: Math.floor(Date.now() / 1000),
      type: 'customer.created',
      livemode: false,
      data: { object: { id: 'cus_metrics', object: 'customer' } },
    });
    const stored = await app.inject({
      method: 'POST',
      url: '/api/billing/webhooks',
      payload: body,
      headers: { 'content-type': 'application/json', 'stripe-signature': signStripePayload(body, secret) },
    });
    expect(stored.statusCode).toBe(200);
    const unsigned = await app.inject({
      method: 'POST',
      url: '/api/billing/webhooks',
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.statusCode).toBe(400);

    const res = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseMetrics(res.body);
    const route = { method: 'POST', route: '/api/billing/webhooks' };
    expect(metricValue(samples, 'billing_http_requests_total', { ...route, code: '200' })).toBe(1);
    expect(metricValue(samples, 'billing_http_requests_total', { ...route, code: '400' })).toBe(1);
    expect(metricValue(samples, 'billing_http_request_duration_seconds_count', route)).toBe(2);
    expect(
      metricValue(samples, 'billing_jetstream_publish_duration_seconds_count', { outcome: 'stored' }),
    ).toBe(1);
    expect(metricValue(samples, 'billing_jetstream_publish_duration_seconds_sum')).toBeGreaterThan(0);
    // Default process metrics, labelled with the service.
    expect(metricValue(samples, 'process_cpu_seconds_total', { service: 'gateway' })).toBeGreaterThan(0);
  });

  it('refuses a scrape without the metrics token', async () => {
    expect((await scrape()).statusCode).toBe(401);
    expect((await scrape('Bearer not-the-metrics-token-000000')).statusCode).toBe(401);
  });

  it('has no /metrics when METRICS_TOKEN is not set', async () => {
    const closed = await gateway(nats, secret, undefined);
    try {
      const res = await closed.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(res.statusCode).toBe(404);
    } finally {
      await closed.close();
    }
  });
});
