import { ORDERS_STRIPE_CONSUMER, stripeEventSubject } from '@billing/contracts';
import { metricValue, parseMetrics, waitFor, type MetricSample } from '@billing/testkit';
import { orderIdFor } from '../../src/domain/order-id';
import { TOKEN, sf, useOrders, stubStripe, waitForOrder } from './harness';

describe('orders metrics', () => {
  const h = useOrders({ prefix: 'orders_metrics', logLevel: 'silent' });
  const consumer = { consumer: ORDERS_STRIPE_CONSUMER.durable };

  async function scrape(): Promise<MetricSample[]> {
    const res = await h.main.service.http.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    return parseMetrics(res.body);
  }

  it('counts a handled and a parked message, and reads backlog, parked and outbox at scrape time', async () => {
    const purchase = sf.oneTimePurchase({
      email: 'metrics@example.com',
      lines: [{ metadata: { sku: 'EBOOK' } }],
    });
    stubStripe(h.fake, purchase);
    await h.publishStripeEvent(purchase.events.checkoutCompleted);
    await waitForOrder(h, orderIdFor(purchase.session.id), () => true);
    // Not JSON: parked at once as invalid.
    await h.js.publish(stripeEventSubject('checkout.session.completed'), 'not json', {
      msgID: `evt_broken_${Date.now()}`,
    });
    await waitFor(async () => (await h.api('GET', '/admin/parked')).body.items.length === 1, {
      what: 'the broken message parked',
    });
    await h.settled();

    const samples = await scrape();
    expect(metricValue(samples, 'billing_consumer_messages_total', { ...consumer, outcome: 'done' })).toBe(1);
    expect(metricValue(samples, 'billing_consumer_messages_total', { ...consumer, outcome: 'parked' })).toBe(
      1,
    );
    expect(metricValue(samples, 'billing_consumer_messages_total', { ...consumer, outcome: 'retry' })).toBe(
      undefined,
    );
    expect(metricValue(samples, 'billing_consumer_handle_duration_seconds_count', consumer)).toBe(2);
    expect(metricValue(samples, 'billing_consumer_pending_messages', consumer)).toBe(0);
    expect(metricValue(samples, 'billing_consumer_ack_pending_messages', consumer)).toBe(0);
    expect(metricValue(samples, 'billing_parked_messages', consumer)).toBe(1);
    expect(metricValue(samples, 'billing_outbox_unpublished_events')).toBe(0);
    expect(metricValue(samples, 'billing_outbox_oldest_unpublished_age_seconds')).toBe(0);
    // The order's domain events went straight to JetStream.
    expect(
      metricValue(samples, 'billing_jetstream_publish_duration_seconds_count', { outcome: 'stored' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      metricValue(samples, 'billing_http_requests_total', { route: '/admin/parked', code: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(metricValue(samples, 'billing_metrics_collect_errors_total')).toBe(undefined);
  });

  it('answers /metrics to the admin token only (no METRICS_TOKEN set)', async () => {
    const res = await h.main.service.http.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(401);
  });
});
