import {
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_CREATED_V1,
  ORDER_LICENSED_V1,
  ORDER_REFUNDED_V1,
  PAYMENT_FAILED_V1,
  PAYMENT_RECORDED_V1,
  TIER_CHANGED_V1,
} from '@billing/contracts';
import {
  envelopeDraft,
  licenseSummary,
  orderConfirmed,
  orderLicensed,
  orderSnapshot,
  rand,
  type ReceivedMail,
  waitFor,
} from '@billing/testkit';
import { emailSendModel } from '../../src/db/email-send.model';
import { useNotifications } from './harness';

jest.setTimeout(30_000);

describe('notifications emails (real NATS, store and SMTP server)', () => {
  const h = useNotifications();

  const mailsTo = (address: string) => h.smtp.messages.filter((m) => m.envelopeTo.includes(address));
  const waitForMails = (address: string, count: number) =>
    waitFor(() => mailsTo(address).length >= count && mailsTo(address), {
      what: `${count} email(s) to ${address}`,
    });
  const ledger = (eventId: string) => emailSendModel(h.infra.db).find({ eventId }).lean();
  const settle = () => h.settled();
  const html = (mail: ReceivedMail) => (typeof mail.parsed.html === 'string' ? mail.parsed.html : '');

  it('sends the purchase confirmation with the order summary, download link and license keys', async () => {
    const email = `buyer-${rand(4)}@example.com`;
    const order = orderSnapshot({ customerEmail: email });
    const licenses = [
      licenseSummary(order),
      licenseSummary(order, { productName: 'Team add-on', productSku: 'TEAM', tier: null }),
    ];
    await h.publishEnvelope(
      ORDER_CREATED_V1,
      envelopeDraft(ORDER_CREATED_V1.type, order.orderId, { order: { ...order, status: 'pending_payment' } }),
    );
    await h.publishEnvelope(ORDER_CONFIRMED_V1, orderConfirmed(order));
    const licensed = await h.publishEnvelope(ORDER_LICENSED_V1, orderLicensed(order, licenses));

    const [mail] = await waitForMails(email, 1);
    expect(mail!.envelopeFrom).toBe('billing@acme.example');
    expect(mail!.parsed.from?.value).toEqual([{ name: 'Acme Billing', address: 'billing@acme.example' }]);
    expect(mail!.parsed.subject).toBe(`Your Acme order ${order.orderId} is confirmed`);
    expect(mail!.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    const text = mail!.parsed.text ?? '';
    for (const part of [text, html(mail!)]) {
      expect(part).toContain('Pro license (1 year)');
      expect(part).toContain('Printed manual');
      expect(part).toContain('$74.00');
      expect(part).toContain('https://downloads.acme.example/pro/latest.zip');
      expect(part).toContain(licenses[0]!.key);
      expect(part).toContain(licenses[1]!.key);
    }
    expect(html(mail!)).toContain('<a href="https://downloads.acme.example/pro/latest.zip">');
    expect(html(mail!)).toContain('https://acme.example/account');
    // The ledger row turns `sent` right after the SMTP server accepted the message.
    await settle();
    const rows = await ledger(licensed.id);
    expect(rows).toMatchObject([
      { template: 'purchase-confirmation', status: 'sent', to: email, attempts: 1 },
    ]);
    expect(mail!.parsed.messageId).toBe(rows[0]!.messageId);
  });

  it('sends the keys of an order whose licenses come in pages in one email per page', async () => {
    const email = `many-${rand(4)}@example.com`;
    const order = orderSnapshot({ customerEmail: email });
    const pages = [[licenseSummary(order), licenseSummary(order)], [licenseSummary(order)]];
    await h.publishEnvelope(ORDER_CONFIRMED_V1, orderConfirmed(order));
    for (const [i, licenses] of pages.entries()) {
      const first = orderLicensed(order, licenses);
      await h.publishEnvelope(ORDER_LICENSED_V1, {
        ...first,
        id: i === 0 ? first.id : `${first.id}:page:${i + 1}`,
        payload: { ...first.payload, page: { number: i + 1, of: 2, licenseCount: 3 } },
      });
    }
    const mails = await waitForMails(email, 2);
    await settle();
    expect(mailsTo(email)).toHaveLength(2);
    for (const [i, licenses] of pages.entries()) {
      const mail = mails.find((m) => m.parsed.subject?.endsWith(`(license keys, part ${i + 1} of 2)`));
      expect(mail).toBeDefined();
      for (const l of licenses) expect(mail!.parsed.text).toContain(l.key);
      expect(mail!.parsed.text).toContain(`YOUR LICENSE KEYS (PART ${i + 1} OF 2)`);
    }
  });

  it('waits for the order snapshot when the licensed event comes first, then sends once', async () => {
    const email = `early-${rand(4)}@example.com`;
    const order = orderSnapshot({ customerEmail: email });
    await h.publishEnvelope(ORDER_LICENSED_V1, orderLicensed(order, [licenseSummary(order)]));
    // The licensed event is retried (no snapshot yet), so nothing is sent...
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo(email)).toHaveLength(0);
    // ...until the confirmed order shows up.
    await h.publishEnvelope(ORDER_CONFIRMED_V1, orderConfirmed(order));
    await waitForMails(email, 1);
    await settle();
    expect(mailsTo(email)).toHaveLength(1);
  });

  it('sends exactly one email per event under duplicates and redelivery', async () => {
    const email = `dup-${rand(4)}@example.com`;
    const order = orderSnapshot({ customerEmail: email });
    await h.publishEnvelope(ORDER_CONFIRMED_V1, orderConfirmed(order));
    const licensed = await h.publishEnvelope(
      ORDER_LICENSED_V1,
      orderLicensed(order, [licenseSummary(order)]),
    );
    await waitForMails(email, 1);
    // Past JetStream's duplicate window the same event can arrive again, several times at once.
    await Promise.all([
      h.republish(licensed, `${licensed.id}#a`),
      h.republish(licensed, `${licensed.id}#b`),
      h.republish(licensed, `${licensed.id}#c`),
    ]);
    await h.publishEnvelope(ORDER_LICENSED_V1, orderLicensed(order, [licenseSummary(order)])); // same id: dropped by JetStream
    await settle();
    expect(mailsTo(email)).toHaveLength(1);
    expect(await ledger(licensed.id)).toHaveLength(1);
  });

  it('retries while the SMTP server refuses and sends once it accepts again', async () => {
    const email = `outage-${rand(4)}@example.com`;
    const order = orderSnapshot({ customerEmail: email });
    await h.publishEnvelope(ORDER_CONFIRMED_V1, orderConfirmed(order));
    h.smtp.setRefusing(true);
    try {
      const licensed = await h.publishEnvelope(
        ORDER_LICENSED_V1,
        orderLicensed(order, [licenseSummary(order)]),
      );
      const failed = await waitFor(
        async () => {
          const [row] = await ledger(licensed.id);
          return row && row.attempts >= 2 && row.status === 'failed' && row;
        },
        { what: 'two refused attempts' },
      );
      expect(failed.lastError).toMatch(/451/);
      expect(mailsTo(email)).toHaveLength(0);
    } finally {
      h.smtp.setRefusing(false);
    }
    await waitForMails(email, 1);
    await settle();
    expect(mailsTo(email)).toHaveLength(1);
  });

  it('sends a receipt for a renewal but not for the first invoice of a subscription', async () => {
    const email = `renew-${rand(4)}@example.com`;
    const orderId = `ord_${rand()}`;
    const payment = (billingReason: string) => ({
      paymentId: `pay_${rand()}`,
      orderId,
      customerEmail: email,
      source: 'invoice' as const,
      invoiceId: `in_${rand()}`,
      paymentIntentId: `pi_${rand()}`,
      subscriptionId: 'sub_123',
      billingReason,
      amount: 1900,
      currency: 'usd',
      periodEnd: '2026-05-05T10:15:00.000Z',
      receiptUrl: 'https://invoice.stripe.com/i/acct_1/test_receipt',
      paidAt: '2026-04-05T10:15:00.000Z',
    });
    const first = payment('subscription_create');
    const renewal = payment('subscription_cycle');
    await h.publishEnvelope(
      PAYMENT_RECORDED_V1,
      envelopeDraft(PAYMENT_RECORDED_V1.type, first.paymentId, first),
    );
    await h.publishEnvelope(
      PAYMENT_RECORDED_V1,
      envelopeDraft(PAYMENT_RECORDED_V1.type, renewal.paymentId, renewal),
    );
    const [mail] = await waitForMails(email, 1);
    await settle();
    expect(mailsTo(email)).toHaveLength(1);
    expect(mail!.parsed.subject).toBe('Receipt: $19.00 paid for your Acme subscription');
    expect(mail!.parsed.text).toContain('Your subscription is paid until May 5, 2026.');
    expect(mail!.parsed.text).toContain('https://invoice.stripe.com/i/acct_1/test_receipt');
    expect(mail!.parsed.text).toContain(renewal.invoiceId);
  });

  it('explains a failed payment in plain words with what to do next', async () => {
    const email = `declined-${rand(4)}@example.com`;
    const payload = {
      orderId: `ord_${rand()}`,
      customerEmail: email,
      paymentIntentId: `pi_${rand()}`,
      invoiceId: null,
      subscriptionId: 'sub_456',
      amount: 1900,
      currency: 'eur',
      reason: {
        code: 'card_declined',
        declineCode: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
        type: 'card_error',
      },
      failedAt: '2026-04-05T10:15:00.000Z',
    };
    await h.publishEnvelope(
      PAYMENT_FAILED_V1,
      envelopeDraft(PAYMENT_FAILED_V1.type, payload.paymentIntentId, payload),
    );
    const [mail] = await waitForMails(email, 1);
    expect(mail!.parsed.subject).toBe('Action needed: your €19.00 payment to Acme did not go through');
    expect(mail!.parsed.text).toContain('Why: Your card has insufficient funds.');
    expect(mail!.parsed.text).toContain(
      'What to do next: Please contact your bank, or pay with another card.',
    );
    expect(html(mail!)).toContain('href="https://acme.example/account"');
  });

  it('confirms a new tier, and says the subscription ended on a downgrade to FREE', async () => {
    const email = `tier-${rand(4)}@example.com`;
    const change = (previousTier: string, tier: string, features: string[]) => ({
      customerEmail: email,
      stripeCustomerId: 'cus_1',
      subscriptionId: 'sub_789',
      previousTier,
      tier,
      features,
    });
    await h.publishEnvelope(
      TIER_CHANGED_V1,
      envelopeDraft(
        TIER_CHANGED_V1.type,
        `evt_${rand()}`,
        change('FREE', 'PRO', ['Unlimited projects', 'Priority support']),
      ),
    );
    const [welcome] = await waitForMails(email, 1);
    expect(welcome!.parsed.subject).toBe('Welcome to Acme PRO');
    expect(welcome!.parsed.text).toContain('- Unlimited projects');

    await h.publishEnvelope(
      TIER_CHANGED_V1,
      envelopeDraft(TIER_CHANGED_V1.type, `evt_${rand()}`, change('PRO', 'FREE', [])),
    );
    const mails = await waitForMails(email, 2);
    expect(mails[1]!.parsed.subject).toBe('Your Acme PRO subscription has ended');
    expect(mails[1]!.parsed.text).toContain('your account is now on the FREE plan');
  });

  it('confirms a cancellation and a partial refund (with the items of the order)', async () => {
    const email = `cancel-${rand(4)}@example.com`;
    const order = orderSnapshot({ customerEmail: email });
    await h.publishEnvelope(ORDER_CONFIRMED_V1, orderConfirmed(order));
    await h.publishEnvelope(
      ORDER_CANCELLED_V1,
      envelopeDraft(ORDER_CANCELLED_V1.type, order.orderId, {
        orderId: order.orderId,
        customerEmail: email,
        subscriptionId: 'sub_999',
        cancelledAt: '2026-06-05T10:15:00.000Z',
        reason: 'cancellation_requested',
      }),
    );
    const [cancelled] = await waitForMails(email, 1);
    expect(cancelled!.parsed.subject).toBe('Your Acme subscription is cancelled');
    expect(cancelled!.parsed.text).toContain(`for order ${order.orderId} was cancelled on June 5, 2026`);

    await settle();
    const refund = {
      orderId: order.orderId,
      customerEmail: email,
      chargeId: `ch_${rand()}`,
      refundId: `re_${rand()}`,
      paymentIntentId: null,
      amount: 2500,
      amountRefunded: 2500,
      amountCharged: 7400,
      currency: 'usd',
      full: false,
      refundedAt: '2026-03-10T10:15:00.000Z',
    };
    await h.publishEnvelope(
      ORDER_REFUNDED_V1,
      envelopeDraft(ORDER_REFUNDED_V1.type, refund.refundId, refund),
    );
    const mails = await waitForMails(email, 2);
    expect(mails[1]!.parsed.subject).toBe('A refund of $25.00 is on its way');
    expect(mails[1]!.parsed.text).toContain('In total $25.00 of $74.00 has been refunded.');
    expect(mails[1]!.parsed.text).toContain('- Printed manual');
  });
});
