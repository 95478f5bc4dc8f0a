import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { postStripeEvent, stripeFixtures as sf, stubStripe, waitFor } from '@billing/testkit';
import { startWorld, type World } from './e2e-helpers';

jest.setTimeout(120_000);

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
}

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean };
type OtlpAttribute = { key: string; value: OtlpValue };
interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: Array<{
      spans: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes: OtlpAttribute[];
      }>;
    }>;
  }>;
}

const valueOf = (v: OtlpValue) => v.stringValue ?? v.intValue ?? v.boolValue;
const attributesOf = (list: OtlpAttribute[] = []) =>
  Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

/** An OTLP/HTTP JSON receiver: what the services' exporters send to /v1/traces. */
async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.startsWith('application/json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
        for (const resourceSpans of body.resourceSpans) {
          const service = String(attributesOf(resourceSpans.resource.attributes)['service.name']);
          for (const scope of resourceSpans.scopeSpans) {
            for (const span of scope.spans) {
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
                attributes: attributesOf(span.attributes),
              });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, spans, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('one trace per Stripe event across the four services (OTLP http/json)', () => {
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let world: World;

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    world = await startWorld({
      env: {
        LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        WEBHOOK_POLL_INTERVAL_MS: '100',
      },
    });
  });

  afterAll(async () => {
    await world?.stop();
    await otlp?.close();
  });

  it('a checkout yields one trace: the gateway request, every consumer, the Stripe API, SMTP and the webhook POST', async () => {
    const { system, fake } = world;
    const email = 'trace@example.com';
    const purchase = sf.oneTimePurchase({ email, lines: [{ metadata: { sku: 'EBOOK-STRIPE-BILLING' } }] });
    stubStripe(fake, purchase);
    for (const event of purchase.ordered) {
      expect(await postStripeEvent(system.urls.gateway, system.webhookSecret, event)).toBe(200);
    }
    const checkout = purchase.ordered.find((e) => e.type === 'checkout.session.completed')!;

    const trace = await waitFor(
      () => {
        const root = otlp.spans.find(
          (s) => s.service === 'gateway' && s.attributes['stripe.event_id'] === checkout.id,
        );
        const spans = root ? otlp.spans.filter((s) => s.traceId === root.traceId) : [];
        const names = spans.map((s) => `${s.service}: ${s.name}`);
        const complete =
          ['orders', 'licensing', 'notifications'].every((service) =>
            spans.some((s) => s.service === service),
          ) &&
          names.some((n) => n.startsWith('orders: stripe ')) &&
          names.includes('notifications: smtp send') &&
          names.some((n) => n.startsWith('notifications: POST webhook'));
        return complete && root ? { root, spans } : undefined;
      },
      { timeoutMs: 60_000, what: 'a trace with spans of all four services' },
    );

    // One root: the gateway's HTTP span; every other span has its parent in the same trace.
    const ids = new Set(trace.spans.map((s) => s.spanId));
    expect(trace.spans.filter((s) => s.parentSpanId === '' || !ids.has(s.parentSpanId))).toEqual([
      expect.objectContaining({ service: 'gateway', name: 'POST /api/billing/webhooks' }),
    ]);
    // Each service consumed what reached it, as a child of the span that published it.
    const consumers = trace.spans.filter((s) => s.name.startsWith('process '));
    expect(new Set(consumers.map((s) => s.service))).toEqual(
      new Set(['orders', 'licensing', 'notifications']),
    );
    expect(consumers.map((s) => s.attributes['billing.outcome'])).not.toContain('parked');
    // The Stripe event id is on every span of the trace.
    expect(trace.spans.filter((s) => s.attributes['stripe.event_id'] !== checkout.id)).toEqual([]);

    // Log lines written inside the trace carry its id.
    const logs = readdirSync(system.logDir)
      .map((file) => readFileSync(path.join(system.logDir, file), 'utf8'))
      .join('\n');
    expect(logs).toContain(`"trace_id":"${trace.root.traceId}"`);
  });
});
