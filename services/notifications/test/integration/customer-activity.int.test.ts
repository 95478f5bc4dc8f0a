import { ORDER_CONFIRMED_V1, ORDER_LICENSED_V1 } from '@billing/contracts';
import {
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

describe('GET /admin/customers/:email/notifications (what operators see of a customer)', () => {
  const h = useNotifications();

  const { createEndpoint } = webhookHelpers(h);

  it('lists the emails to the customer and the webhook messages naming them, behind the admin token', async () => {
    const endpoint = await createEndpoint(['checkout.completed', 'license.issued']);
    const email = `activity-${rand(4)}@example.com`;
    const other = orderSnapshot({ customerEmail: `someone-else-${rand(4)}@example.com` });
    const order = orderSnapshot({ customerEmail: email });
    for (const o of [order, other]) {
      await h.publishEnvelope(ORDER_CONFIRMED_V1, orderConfirmed(o));
      await h.publishEnvelope(ORDER_LICENSED_V1, orderLicensed(o, [licenseSummary(o)]));
    }
    const url = `/admin/customers/${encodeURIComponent(email.toUpperCase())}/notifications`;
    const activity = await waitFor(
      async () => {
        const res = await h.api('GET', url);
        const body = res.body as { emails: Json[]; webhookMessages: Json[] };
        return body.emails.some((e) => e.status === 'sent') && body.webhookMessages.length === 2 && body;
      },
      { timeoutMs: 15_000, what: 'the email and both webhook messages' },
    );

    expect(activity.emails).toEqual([
      expect.objectContaining({
        eventId: `${ORDER_LICENSED_V1.type}:${order.orderId}`,
        template: 'purchase-confirmation',
        to: email,
        status: 'sent',
        subject: expect.stringContaining('confirmed'),
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      }),
    ]);
    expect(activity.webhookMessages.map((m: Json) => m.event).sort()).toEqual([
      'checkout.completed',
      'license.issued',
    ]);
    for (const message of activity.webhookMessages) {
      expect(message.endpointId).toBe(endpoint.id);
      expect(JSON.stringify(message.payload)).toContain(order.orderId);
    }

    const anonymous = await h.service.http.inject({ method: 'GET', url });
    expect(anonymous.statusCode).toBe(401);
    const nobody = await h.api('GET', '/admin/customers/nobody%40example.com/notifications?limit=5');
    expect(nobody).toEqual({ status: 200, body: { emails: [], webhookMessages: [] } });
  });
});
