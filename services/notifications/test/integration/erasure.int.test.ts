import {
  CUSTOMER_ERASED_V1,
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_LICENSED_V1,
  PAYMENT_RECORDED_V1,
  erasedEmailHash,
  erasedEmailPlaceholder,
} from '@billing/contracts';
import {
  envelopeDraft,
  licenseSummary,
  orderConfirmed,
  orderLicensed,
  orderSnapshot,
  rand,
  waitFor,
} from '@billing/testkit';
import { useNotifications, type Json } from './harness';
import { webhookHelpers } from './webhook-helpers';

jest.setTimeout(30_000);

/** Every collection of the notifications database that could hold a customer's data. */
const COLLECTIONS = [
  'email_sends',
  'email_claims',
  'order_snapshots',
  'webhook_messages',
  'delivery_attempts',
  'outbox',
];

describe('erasing a customer (orders.customer.erased.v1)', () => {
  const h = useNotifications();
  beforeAll(() => {
    // A receiver that echoes what it got: the attempt log keeps the start of the answer.
    h.receiver.respond = (req) => ({ status: 200, body: req.body });
  });

  const { createEndpoint, messagesOf } = webhookHelpers(h);
  const settle = () => h.settled();

  /**
   * The documents of those collections as text, read with the driver itself: the service's
   * connection records its queries for the index check, and this test reads whole collections.
   */
  async function storeText(): Promise<string> {
    const native = h.infra.db.getClient().db(h.infra.db.name);
    const parts: string[] = [];
    for (const name of COLLECTIONS)
      parts.push(JSON.stringify(await native.collection(name).find({}).toArray()));
    return parts.join('\n').toLowerCase();
  }

  /** A purchase, its licenses and a renewal: two emails and four webhooks per customer. */
  async function customerHistory(email: string, name: string, phone: string) {
    const order = orderSnapshot({
      customerEmail: email,
      customerName: name,
      metadata: { phone },
      subscriptionId: `sub_${rand()}`,
    });
    await h.publishEnvelope(ORDER_CONFIRMED_V1, orderConfirmed(order));
    const licensed = await h.publishEnvelope(
      ORDER_LICENSED_V1,
      orderLicensed(order, [licenseSummary(order)]),
    );
    const receiptUrl = `https://pay.stripe.com/receipts/${rand(12)}`;
    await h.publishEnvelope(
      PAYMENT_RECORDED_V1,
      envelopeDraft(PAYMENT_RECORDED_V1.type, `in_${rand()}`, {
        paymentId: `in_${rand()}`,
        orderId: order.orderId,
        customerEmail: email,
        source: 'invoice',
        invoiceId: `in_${rand()}`,
        paymentIntentId: null,
        subscriptionId: order.subscriptionId,
        billingReason: 'subscription_cycle',
        amount: 4900,
        currency: 'usd',
        periodEnd: '2027-04-05T10:15:00.000Z',
        receiptUrl,
        paidAt: '2026-04-05T10:15:00.000Z',
      }),
    );
    await waitFor(() => h.smtp.messages.filter((m) => m.envelopeTo.includes(email)).length >= 2, {
      what: `two emails to ${email}`,
    });
    return { order, licensed, receiptUrl };
  }

  it('leaves no trace of the email in the ledger, snapshots and webhook messages, and sends nothing more', async () => {
    const endpoint = await createEndpoint(['*']);
    const email = `gone-${rand(4)}@example.com`;
    const placeholder = erasedEmailPlaceholder(email);
    const gone = await customerHistory(email, 'Erika Mustermann', '+1 555 0100');
    const stays = `stays-${rand(4)}@example.com`;
    await customerHistory(stays, 'Grace Hopper', '+1 555 0199');
    await waitFor(
      async () => {
        const messages = await messagesOf(endpoint.id);
        return messages.length === 6 && messages.every((m: Json) => m.status === 'delivered');
      },
      { what: 'six webhooks delivered' },
    );
    await settle();
    const before = await storeText();
    expect(before).toContain(email);
    expect(before).toContain(gone.receiptUrl.toLowerCase());

    const erased = await h.publishEnvelope(
      CUSTOMER_ERASED_V1,
      envelopeDraft(CUSTOMER_ERASED_V1.type, `${erasedEmailHash(email)}:1`, {
        email,
        erasedAt: new Date().toISOString(),
        placeholder,
      }),
    );
    await settle();

    const after = await storeText();
    for (const trace of [email, 'erika mustermann', '+1 555 0100', gone.receiptUrl.toLowerCase()]) {
      expect(after).not.toContain(trace);
    }
    expect(after).toContain(stays);
    expect(after).toContain('grace hopper');
    // The ledger keeps its keys (event, template, Message-ID) and statuses, not the recipient.
    const rows = await h.infra.db
      .getClient()
      .db(h.infra.db.name)
      .collection('email_sends')
      .find({ to: placeholder })
      .toArray();
    expect(rows.map((r) => [r.template, r.status, r.subject]).sort()).toEqual([
      ['payment-receipt', 'sent', null],
      ['purchase-confirmation', 'sent', null],
    ]);
    // Webhook messages are kept, redacted (a replay sends the redacted body).
    const messages = (await messagesOf(endpoint.id)).filter(
      (m: Json) => m.payload.data.customerEmail === placeholder,
    );
    expect(messages.map((m: Json) => m.event).sort()).toEqual([
      'checkout.completed',
      'license.issued',
      'payment.succeeded',
    ]);
    expect(messages.find((m: Json) => m.event === 'checkout.completed').payload.data).toMatchObject({
      orderId: gone.order.orderId,
      customerName: null,
      amountTotal: 7400,
    });
    expect(messages.find((m: Json) => m.event === 'payment.succeeded').payload.data.receiptUrl).toBeNull();

    // The events are known: delivered again, they send no second email and store no new webhook.
    const mailsBefore = h.smtp.messages.length;
    await h.republish(gone.licensed, `${gone.licensed.id}#again`);
    // An event about the erased customer names the placeholder: no email goes to it.
    await h.publishEnvelope(
      ORDER_CANCELLED_V1,
      envelopeDraft(ORDER_CANCELLED_V1.type, gone.order.orderId, {
        orderId: gone.order.orderId,
        customerEmail: placeholder,
        subscriptionId: gone.order.subscriptionId,
        cancelledAt: '2026-05-01T00:00:00.000Z',
        reason: null,
      }),
    );
    // The erasure applied again changes nothing.
    await h.republish(erased, `${erased.id}#again`);
    await settle();
    expect(h.smtp.messages.length).toBe(mailsBefore);
    expect(await messagesOf(endpoint.id)).toHaveLength(6);
    expect(await storeText()).not.toContain(email);
  });
});
