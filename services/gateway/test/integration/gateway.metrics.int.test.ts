import { metricValue, parseMetrics, stripeFixtures as sf } from '@billing/testkit';
import { useGateway } from './harness';

const METRICS_TOKEN = 'gateway-metrics-token-0123456789';

describe('gateway metrics', () => {
  const h = useGateway({ maxBodyBytes: 64 * 1024, metricsToken: METRICS_TOKEN });

  const scrape = (authorization?: string) =>
    h.service.http.inject({
      method: 'GET',
      url: '/metrics',
      headers: authorization ? { authorization } : {},
    });

  it('counts a stored event by answer code and times it and its publish', async () => {
    const body = JSON.stringify(sf.makeEvent('customer.created', { id: 'cus_metrics', object: 'customer' }));
    const stored = await h.post(body);
    expect(stored.statusCode).toBe(200);
    const unsigned = await h.post(body, {});
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
    const closed = await h.startGateway({ maxBodyBytes: 64 * 1024 });
    try {
      const res = await closed.http.inject({
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
