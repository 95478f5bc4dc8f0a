import type { Metrics } from '@billing/runtime';
import type { EndpointStatus, WebhookEndpoint } from './db/webhook-endpoint.model';
import type { AttemptOutcome } from './db/webhook-message.repository';
import type { EmailSending } from './email/email-sender';

/** What the delivery worker reports of each webhook attempt it makes. */
export interface WebhookMetrics {
  /** `seconds`: the HTTP round trip; null when nothing was sent (the secret did not open). */
  attempted(endpointId: string, status: AttemptOutcome['status'], seconds: number | null): void;
  /** The worker disabled an endpoint that kept failing. */
  disabled(endpointId: string): void;
}

/** An attempt's outcome as counted: delivered, retry (another attempt is scheduled), failed (none is). */
const OUTCOME: Record<AttemptOutcome['status'], string> = {
  delivered: 'delivered',
  pending: 'retry',
  failed: 'failed',
};

/**
 * Webhook deliveries by endpoint id (bounded: operators register endpoints; never the URL, which
 * may carry a secret) and outcome, their latency, endpoints disabled automatically, and the
 * endpoints by status now (from the list every replica holds in memory: no database read).
 */
export function webhookMetrics(
  metrics: Metrics,
  endpoints: { all(): readonly Pick<WebhookEndpoint, 'status'>[] },
): WebhookMetrics {
  const deliveries = metrics.counter(
    'billing_webhook_deliveries_total',
    'Webhook delivery attempts, by endpoint and outcome (delivered; retry: another attempt is scheduled; failed: no attempt is left)',
    ['endpoint', 'outcome'],
  );
  const latency = metrics.histogram(
    'billing_webhook_delivery_duration_seconds',
    'Time from sending a webhook until the receiver answered (or the attempt timed out), by endpoint',
    ['endpoint'],
  );
  const disabled = metrics.counter(
    'billing_webhook_endpoints_disabled_total',
    'Endpoints disabled automatically after failing longer than WEBHOOK_DISABLE_AFTER_MS',
    ['endpoint'],
  );
  metrics.gauge('billing_webhook_endpoints', 'Webhook endpoints by status', ['status'], async () => {
    const counts: Record<EndpointStatus, number> = { enabled: 0, disabled: 0 };
    for (const endpoint of endpoints.all()) counts[endpoint.status] += 1;
    return Object.entries(counts).map(([status, value]) => ({ labels: { status }, value }));
  });
  return {
    attempted(endpoint, status, seconds) {
      deliveries.inc({ endpoint, outcome: OUTCOME[status] });
      if (seconds !== null) latency.observe({ endpoint }, seconds);
    },
    disabled: (endpoint) => disabled.inc({ endpoint }),
  };
}

/**
 * The sender, counting the emails the SMTP server accepted (`sent`) and refused or could not be
 * reached for (`failed`, retried later), by template. Repeats the ledger absorbed (already sent,
 * another delivery sending it, an erased customer) are not counted.
 */
export function countingEmails(metrics: Metrics, sender: EmailSending): EmailSending {
  const emails = metrics.counter(
    'billing_emails_total',
    'Emails handed to the SMTP server, by template and outcome (sent, failed)',
    ['template', 'outcome'],
  );
  return {
    async send(request) {
      const result = await sender.send(request);
      if (result.status === 'sent' || result.status === 'failed') {
        emails.inc({ template: request.template, outcome: result.status });
      }
      return result;
    },
  };
}
