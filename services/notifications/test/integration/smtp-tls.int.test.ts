import { NOTIFICATIONS_ORDERS_CONSUMER, PAYMENT_FAILED_V1 } from '@billing/contracts';
import { envelopeDraft, rand, waitFor } from '@billing/testkit';
import { emailSendModel } from '../../src/db/email-send.model';
import { useNotifications, type NotificationsContext } from './harness';

jest.setTimeout(30_000);

/** A `payment.failed` domain event: one email to `email`. */
function paymentFailed(email: string) {
  const payload = {
    orderId: `ord_${rand()}`,
    customerEmail: email,
    paymentIntentId: `pi_${rand()}`,
    invoiceId: null,
    subscriptionId: null,
    amount: 1900,
    currency: 'usd',
    reason: { code: 'card_declined', declineCode: null, message: 'Declined.', type: 'card_error' },
    failedAt: '2026-04-05T10:15:00.000Z',
  };
  return envelopeDraft(PAYMENT_FAILED_V1.type, payload.paymentIntentId, payload);
}

/** Waits until the event is parked after its retries; returns the parked record and the ledger row. */
async function parkedSend(h: NotificationsContext, eventId: string) {
  const parked = await waitFor(
    async () =>
      (await h.infra.parked.list({ consumer: NOTIFICATIONS_ORDERS_CONSUMER.durable })).find(
        (p) => p.messageId === eventId,
      ),
    { what: 'the event parked after its retries', timeoutMs: 15_000 },
  );
  const [row] = await emailSendModel(h.infra.db).find({ eventId }).lean();
  return { parked, row: row! };
}

// The test kit's SMTP server offers no STARTTLS, as a server behind a stripping attacker would.
describe('SMTP_REQUIRE_TLS=true against a server that offers no STARTTLS', () => {
  const h = useNotifications({ env: { SMTP_REQUIRE_TLS: 'true', CONSUMER_RETRY_FOR_MS: '800' } });

  it('sends nothing in clear: the send fails, is retried, then parked', async () => {
    const email = `tls-${rand(4)}@example.com`;
    const event = await h.publishEnvelope(PAYMENT_FAILED_V1, paymentFailed(email));
    const { parked, row } = await parkedSend(h, event.id);
    expect(parked.kind).toBe('exhausted');
    expect(parked.reason).toMatch(/smtp: .*STARTTLS/);
    expect(row).toMatchObject({ status: 'failed', to: email });
    expect(row.attempts).toBeGreaterThanOrEqual(2);
    expect(row.lastError).toMatch(/STARTTLS/);
    expect(h.smtp.messages.filter((m) => m.envelopeTo.includes(email))).toHaveLength(0);
  });
});

describe('SMTP_REQUIRE_TLS=false against the same server', () => {
  const h = useNotifications({ env: { SMTP_REQUIRE_TLS: 'false' } });

  it('delivers in clear, as chosen', async () => {
    const email = `clear-${rand(4)}@example.com`;
    await h.publishEnvelope(PAYMENT_FAILED_V1, paymentFailed(email));
    await waitFor(() => h.smtp.messages.some((m) => m.envelopeTo.includes(email)), {
      what: 'the email delivered',
    });
  });
});

describe('SMTP credentials in SMTP_URL', () => {
  const PASSWORD = 'smtp-Pa55word-never-logged';
  const logs: string[] = [];
  // The test server implements no AUTH, so every login fails: the error path a password could leak by.
  const h = useNotifications({
    env: { SMTP_REQUIRE_TLS: 'false', CONSUMER_RETRY_FOR_MS: '800' },
    smtpAuth: { user: 'mailer', pass: PASSWORD },
    logs,
  });

  it('are masked in the start-up line and kept out of every log line, ledger row and parked message', async () => {
    const event = await h.publishEnvelope(PAYMENT_FAILED_V1, paymentFailed(`auth-${rand(4)}@example.com`));
    const { parked, row } = await parkedSend(h, event.id);
    expect(row.lastError).toMatch(/535/);

    const port = new URL(h.smtp.url).port;
    expect(logs.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({
        msg: 'smtp configured',
        smtp: `smtp://mailer:***@127.0.0.1:${port}`,
        requireTls: false,
      }),
    );
    expect(logs.some((l) => l.includes('email not accepted by SMTP server'))).toBe(true);
    for (const text of [...logs, JSON.stringify([row, parked])]) expect(text).not.toContain(PASSWORD);
  });
});
