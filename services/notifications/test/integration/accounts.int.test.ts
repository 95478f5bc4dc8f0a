import { ORDER_CONFIRMED_V1, ORDER_LICENSED_V1 } from '@billing/contracts';
import {
  licenseSummary,
  orderConfirmed,
  orderLicensed,
  orderSnapshot,
  rand,
  waitFor,
} from '@billing/testkit';
import { useNotifications } from './harness';
import { verify, webhookHelpers } from './webhook-helpers';

jest.setTimeout(30_000);

describe('outbound webhooks of several Stripe accounts', () => {
  const h = useNotifications();
  const { createEndpoint } = webhookHelpers(h);

  it("carries the order's account in checkout.completed and stores it on the webhook message", async () => {
    const endpoint = await createEndpoint(['checkout.completed']);
    const order = {
      ...orderSnapshot({ customerEmail: `eu-${rand(4)}@example.com` }),
      account: 'eu',
      stripeAccount: 'acct_1EuShop',
    };
    await h.publishEnvelope(ORDER_CONFIRMED_V1, orderConfirmed(order));
    await h.publishEnvelope(ORDER_LICENSED_V1, orderLicensed(order, [licenseSummary(order)]));
    await waitFor(() => h.receiver.requests.length >= 1, { what: 'the checkout.completed webhook' });

    const body = verify(endpoint.secret, h.receiver.requests[0]!);
    expect(body.data).toMatchObject({ orderId: order.orderId, account: 'eu', stripeAccount: 'acct_1EuShop' });
    // Read with the driver itself: the service's own connection records its queries for the index check.
    const native = h.infra.db.getClient().db(h.infra.db.name);
    const message = await native.collection('webhook_messages').findOne({ endpointId: endpoint.id });
    expect(message).toMatchObject({ event: 'checkout.completed', account: 'eu' });
    await h.api('DELETE', `/webhooks/endpoints/${endpoint.id}`);
  });
});
