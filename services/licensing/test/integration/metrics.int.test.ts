import { ORDER_CONFIRMED_V1, ORDER_REFUNDED_V1 } from '@billing/contracts';
import { metricValue, parseMetrics, stripeFixtures as fx, type MetricSample } from '@billing/testkit';
import { adminHeaders, useLicensing, verify } from './harness';
import { PRODUCTS, ebook, issue, purchase, refundOf } from './one-time';

const METRICS_TOKEN = 'licensing-metrics-token-0123456789';

describe('licensing metrics', () => {
  const h = useLicensing({ LICENSING_PRODUCTS: PRODUCTS, METRICS_TOKEN });

  async function scrape(authorization = `Bearer ${METRICS_TOKEN}`): Promise<MetricSample[]> {
    const res = await h.service.http.inject({ method: 'GET', url: '/metrics', headers: { authorization } });
    expect(res.statusCode).toBe(200);
    return parseMetrics(res.body);
  }

  it('counts licenses issued once, revoked by reason, and verifications by code', async () => {
    const kept = purchase('kept@example.com');
    const keptLicenses = await issue(h, kept.order);
    const { purchase: p, order } = purchase('refunded@example.com');
    const refunded = await issue(h, order);
    // A redelivered confirmation (another message id) issues nothing new.
    await h.publishEnvelope(
      ORDER_CONFIRMED_V1,
      { id: `orders.order.confirmed:${order.orderId}`, payload: { order } },
      'again',
    );
    const refund = refundOf(fx.fullRefund(p), order);
    await h.publishEnvelope(ORDER_REFUNDED_V1, {
      id: `orders.order.refunded:${refund.refundId}`,
      payload: refund,
    });
    await h.events.waitFor(`licensing.licenses.revoked:${refund.refundId}`);
    await h.settled();

    expect(await verify(h, ebook(keptLicenses).key)).toMatchObject({ code: 'VALID' });
    expect(await verify(h, ebook(refunded).key)).toMatchObject({ code: 'REVOKED' });
    expect(await verify(h, 'not-a-license-key')).toMatchObject({ code: 'NOT_FOUND' });

    const samples = await scrape();
    expect(keptLicenses.length).toBeGreaterThan(1);
    expect(metricValue(samples, 'billing_licenses_issued_total')).toBe(keptLicenses.length + refunded.length);
    expect(metricValue(samples, 'billing_licenses_revoked_total', { reason: 'refunded' })).toBe(
      refunded.length,
    );
    for (const code of ['VALID', 'REVOKED', 'NOT_FOUND']) {
      expect(metricValue(samples, 'billing_license_verifications_total', { code })).toBe(1);
    }
    expect(
      metricValue(samples, 'billing_http_requests_total', { route: '/licenses/verify', code: '200' }),
    ).toBe(3);
    const consumer = { consumer: 'licensing-orders' };
    // Two confirmations, one of them repeated, and the refund.
    expect(metricValue(samples, 'billing_consumer_messages_total', { ...consumer, outcome: 'done' })).toBe(4);
    expect(metricValue(samples, 'billing_parked_messages', consumer)).toBe(0);
  });

  it('answers /metrics to the admin token as well, and to nobody else', async () => {
    await scrape(adminHeaders.authorization);
    const res = await h.service.http.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(401);
  });
});
