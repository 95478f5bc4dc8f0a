import { EnvReader } from './config';
import { createHttpApp } from './http';
import { createLogger } from './logger';
import { Metrics, readMetricsToken } from './metrics';

const logger = createLogger({ service: 'metrics-test', version: 'test', level: 'silent' });

/** The value of the sample `name{labels}` (labels in prom-client's order) in the exposition, or undefined. */
async function sample(metrics: Metrics, line: string): Promise<number | undefined> {
  const { body } = await metrics.exposition();
  const found = body.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('Metrics', () => {
  it('keeps one counter per name, labelled with the service', async () => {
    const metrics = new Metrics({ service: 'orders', processMetrics: false });
    const first = metrics.counter('billing_things_total', 'Things', ['kind']);
    const again = metrics.counter('billing_things_total', 'Things', ['kind']);
    first.inc({ kind: 'a' });
    again.inc({ kind: 'a' });
    expect(again).toBe(first);
    expect(await sample(metrics, 'billing_things_total{kind="a",service="orders"}')).toBe(2);
  });

  it('reads gauges at scrape time, leaves out (and counts) a failing source, and replaces a redefined one', async () => {
    const metrics = new Metrics({ service: 'orders', processMetrics: false });
    let value = 3;
    metrics.gauge('billing_backlog', 'Backlog', ['consumer'], async () => [
      { labels: { consumer: 'c1' }, value },
    ]);
    expect(await sample(metrics, 'billing_backlog{consumer="c1",service="orders"}')).toBe(3);
    value = 0;
    expect(await sample(metrics, 'billing_backlog{consumer="c1",service="orders"}')).toBe(0);

    metrics.gauge('billing_backlog', 'Backlog', ['consumer'], () => Promise.reject(new Error('store down')));
    const { body } = await metrics.exposition();
    expect(body).not.toContain('billing_backlog{');
    expect(
      await sample(
        metrics,
        'billing_metrics_collect_errors_total{metric="billing_backlog",service="orders"}',
      ),
    ).toBe(1);
  });

  it('includes the process metrics unless told not to', async () => {
    const metrics = new Metrics({ service: 'gateway' });
    expect((await metrics.exposition()).body).toContain('process_cpu_seconds_total{service="gateway"}');
  });

  it('reads METRICS_TOKEN: optional, at least 16 characters', () => {
    expect(readMetricsToken(new EnvReader({}))).toBeUndefined();
    expect(readMetricsToken(new EnvReader({ METRICS_TOKEN: 'x'.repeat(16) }))).toBe('x'.repeat(16));
    expect(() => readMetricsToken(new EnvReader({ METRICS_TOKEN: 'short' }))).toThrow(/METRICS_TOKEN/);
  });
});

describe('GET /metrics and request metrics', () => {
  const build = (tokens: Array<string | undefined>) => {
    const metrics = new Metrics({ service: 'licensing', processMetrics: false });
    const app = createHttpApp({ logger, readiness: {}, metrics: { metrics, tokens } });
    app.get('/licenses/:key', async () => ({ ok: true }));
    return { app, metrics };
  };
  const ADMIN = 'admin-token-0123456789';
  const SCRAPER = 'metrics-token-0123456789';

  it('answers any of the tokens, and nobody else', async () => {
    const { app } = build([ADMIN, undefined, SCRAPER]);
    const get = (token?: string) =>
      app.inject({ url: '/metrics', headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await get(ADMIN)).statusCode).toBe(200);
    expect((await get(SCRAPER)).statusCode).toBe(200);
    expect((await get()).statusCode).toBe(401);
    expect((await get(`${SCRAPER}x`)).statusCode).toBe(401);
    await app.close();
  });

  it('has no /metrics without a token', async () => {
    const { app } = build([undefined]);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(404);
    await app.close();
  });

  it('counts answers by route pattern, never the raw path', async () => {
    const { app, metrics } = build([ADMIN]);
    await app.inject({ url: '/licenses/SECRET-KEY-1' });
    await app.inject({ url: '/licenses/SECRET-KEY-2' });
    await app.inject({ url: '/nowhere' });
    const { body } = await metrics.exposition();
    expect(body).not.toContain('SECRET-KEY');
    const labels = 'method="GET",route="/licenses/:key",code="200",service="licensing"';
    expect(await sample(metrics, `billing_http_requests_total{${labels}}`)).toBe(2);
    expect(
      await sample(
        metrics,
        'billing_http_requests_total{method="GET",route="unmatched",code="404",service="licensing"}',
      ),
    ).toBe(1);
    expect(
      await sample(
        metrics,
        'billing_http_request_duration_seconds_count{service="licensing",method="GET",route="/licenses/:key"}',
      ),
    ).toBe(2);
    await app.close();
  });
});
