import { NOTIFICATIONS_LICENSING_CONSUMER } from '@billing/contracts';
import { type MetricSample, metricValue, parseMetrics, rand, waitFor } from '@billing/testkit';
import { ADMIN_TOKEN, useNotifications } from './harness';
import { webhookHelpers } from './webhook-helpers';

jest.setTimeout(30_000);

describe('notifications metrics', () => {
  const h = useNotifications();

  const { createEndpoint, tierChanged } = webhookHelpers(h);

  async function scrape(): Promise<MetricSample[]> {
    const res = await h.service.http.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    return parseMetrics(res.body);
  }

  it('counts emails by template and outcome, webhook attempts by endpoint and outcome, and disabled endpoints', async () => {
    // One receiver fails once, then answers; the other always fails, and is disabled after
    // WEBHOOK_DISABLE_AFTER_MS (1.2 s in the harness).
    h.receiver.respond = (req) =>
      req.path === '/flaky' && h.receiver.requests.filter((r) => r.path === '/flaky').length === 1
        ? { status: 500 }
        : req.path === '/flaky'
          ? { status: 204 }
          : { status: 503 };
    const flaky = await createEndpoint(['tier.changed'], '/flaky');
    const broken = await createEndpoint(['tier.changed'], '/broken');
    // The subscription email is refused first: the event is retried until SMTP accepts it.
    h.smtp.setRefusing(true);
    const email = `metrics-${rand(4)}@example.com`;
    await tierChanged(email);
    const failedEmails = () =>
      scrape().then((s) => metricValue(s, 'billing_emails_total', { outcome: 'failed' }) ?? 0);
    await waitFor(async () => (await failedEmails()) >= 1, { what: 'a refused email' });
    h.smtp.setRefusing(false);
    await waitFor(() => h.smtp.messages.some((m) => m.envelopeTo.includes(email)), { what: 'the email' });
    await waitFor(
      async () => (await h.api('GET', `/webhooks/endpoints/${broken.id}`)).body.status === 'disabled',
      {
        what: 'the broken endpoint disabled',
        timeoutMs: 10_000,
      },
    );
    await h.settled();

    const samples = await scrape();
    const template = { template: 'subscription-confirmed' };
    expect(metricValue(samples, 'billing_emails_total', { ...template, outcome: 'sent' })).toBe(1);
    const failed = metricValue(samples, 'billing_emails_total', { ...template, outcome: 'failed' })!;
    expect(failed).toBeGreaterThanOrEqual(1);
    // Every refused email handed its message back for a retry.
    const consumer = { consumer: NOTIFICATIONS_LICENSING_CONSUMER.durable };
    expect(metricValue(samples, 'billing_consumer_messages_total', { ...consumer, outcome: 'retry' })).toBe(
      failed,
    );
    expect(metricValue(samples, 'billing_consumer_messages_total', { ...consumer, outcome: 'done' })).toBe(1);

    const deliveries = (endpoint: string, outcome: string) =>
      metricValue(samples, 'billing_webhook_deliveries_total', { endpoint, outcome });
    expect(deliveries(flaky.id, 'retry')).toBe(1);
    expect(deliveries(flaky.id, 'delivered')).toBe(1);
    expect(
      metricValue(samples, 'billing_webhook_delivery_duration_seconds_count', { endpoint: flaky.id }),
    ).toBe(2);
    const brokenAttempts = h.receiver.requests.filter((r) => r.path === '/broken').length;
    expect(brokenAttempts).toBeGreaterThanOrEqual(2);
    expect(deliveries(broken.id, 'retry')).toBe(brokenAttempts);
    expect(deliveries(broken.id, 'delivered')).toBe(undefined);
    expect(metricValue(samples, 'billing_webhook_endpoints_disabled_total', { endpoint: broken.id })).toBe(1);
    expect(metricValue(samples, 'billing_webhook_endpoints', { status: 'disabled' })).toBe(1);
    expect(metricValue(samples, 'billing_webhook_endpoints', { status: 'enabled' })).toBe(1);
    // The disabling was announced through the outbox, which is empty again.
    expect(metricValue(samples, 'billing_outbox_unpublished_events')).toBe(0);
  });
});
