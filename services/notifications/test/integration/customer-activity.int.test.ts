import { ORDER_CONFIRMED_V1, ORDER_LICENSED_V1 } from '@billing/contracts';
import { waitFor } from '@billing/testkit';
import { confirmedInput, license, licensedInput, orderSnapshot, rand } from './fixtures';
import { startHarness, startReceiver, type Harness, type Json, type Receiver } from './harness';
import { webhookHelpers } from './webhook-helpers';

jest.setTimeout(30_000);

describe('GET /admin/customers/:email/notifications (what operators see of a customer)', () => {
  let h: Harness;
  let receiver: Receiver;

  beforeAll(async () => {
    h = await startHarness();
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await receiver.close();
    // Also checks that every query the route ran was served by an index.
    await h.close();
  });

  const { createEndpoint } = webhookHelpers(
    () => h,
    () => receiver,
  );

  it('lists the emails to the customer and the webhook messages naming them, behind the admin token', async () => {
    const endpoint = await createEndpoint(['checkout.completed', 'license.issued']);
    const email = `activity-${rand(4)}@example.com`;
    const other = orderSnapshot({ customerEmail: `someone-else-${rand(4)}@example.com` });
    const order = orderSnapshot({ customerEmail: email });
    for (const o of [order, other]) {
      await h.publish(ORDER_CONFIRMED_V1, confirmedInput(o));
      await h.publish(ORDER_LICENSED_V1, licensedInput(o, [license(o)]));
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
