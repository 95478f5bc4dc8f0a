import type { FakeStripeRequest } from '@billing/testkit';
import { orderIdFor } from '../../src/domain/order-id';
import { ACCOUNT_KEYS, sf, stubStripe, useOrders, waitForDomainEvent, waitForOrder } from './harness';

/** The fake Stripe API's requests about one checkout session (its line items). */
const lineItemRequests = (requests: FakeStripeRequest[], sessionId: string) =>
  requests.filter((r) => r.path === `/v1/checkout/sessions/${sessionId}/line_items`);

describe('several Stripe accounts and Connect', () => {
  const h = useOrders({ prefix: 'orders_accounts' });

  it('the same email checking out in two accounts gives two customers and two orders, each with its account', async () => {
    const email = 'grace@example.com';
    const home = sf.oneTimePurchase({ email, lines: [{ unitAmount: 1500, metadata: { sku: 'EBOOK' } }] });
    const eu = sf.oneTimePurchase({ email, lines: [{ unitAmount: 2500, metadata: { sku: 'EBOOK' } }] });
    stubStripe(h.fake, home);
    stubStripe(h.fake, eu);
    await h.publishStripeEvents(home.ordered);
    // As the gateway stores an event received at /webhooks/stripe/eu.
    await h.publishStripeEvents(eu.ordered, { 'Billing-Account': 'eu' });

    const homeOrder = await waitForOrder(
      h,
      orderIdFor(home.session.id),
      (o) => o.status === 'confirmed' && o.amountPaid > 0,
    );
    const euOrder = await waitForOrder(
      h,
      orderIdFor(eu.session.id),
      (o) => o.status === 'confirmed' && o.amountPaid > 0,
    );
    expect(homeOrder.account).toBeUndefined();
    expect(euOrder).toMatchObject({ account: 'eu', customerEmail: email, amountPaid: 2500 });
    expect(euOrder.payments).toEqual([expect.objectContaining({ account: 'eu', amount: 2500 })]);

    const homeCustomer = await h.api('GET', `/customers/${email}`);
    const euCustomer = await h.api('GET', `/customers/${email}?account=eu`);
    expect(homeCustomer.status).toBe(200);
    expect(euCustomer.status).toBe(200);
    expect(homeCustomer.body).toMatchObject({ email, stripeCustomerIds: [home.customerId] });
    expect(homeCustomer.body.account).toBeUndefined();
    expect(euCustomer.body).toMatchObject({ email, account: 'eu', stripeCustomerIds: [eu.customerId] });

    const created = await waitForDomainEvent(h, `orders.order.created:${euOrder.orderId}`);
    expect(created.payload).toMatchObject({ order: { orderId: euOrder.orderId, account: 'eu' } });

    // Each account's API calls are made with its own key.
    const keyOf = (r: FakeStripeRequest) => r.headers.authorization;
    expect(lineItemRequests(h.fake.requests, home.session.id).map(keyOf)).toEqual([
      `Bearer ${ACCOUNT_KEYS.default}`,
    ]);
    expect(lineItemRequests(h.fake.requests, eu.session.id).map(keyOf)).toEqual([
      `Bearer ${ACCOUNT_KEYS.eu}`,
    ]);

    // Erasing the email erases its customer in every account it bought in.
    const erased = await h.api('DELETE', `/customers/${email}/data`);
    expect(erased.status).toBe(202);
    expect(erased.body.erased).toMatchObject({ customers: 2, orders: 2 });
    expect((await h.api('GET', `/customers/${email}`)).status).toBe(404);
    expect((await h.api('GET', `/customers/${email}?account=eu`)).status).toBe(404);
    const placeholder = erased.body.placeholder as string;
    expect(await h.api('GET', `/customers/${placeholder}?account=eu`)).toMatchObject({
      status: 200,
      body: { account: 'eu', name: null, stripeCustomerIds: [eu.customerId] },
    });
  });

  it("a Connect checkout's Stripe API calls carry the Stripe-Account header, and its order the account", async () => {
    const connected = 'acct_1ConnectedShop';
    const purchase = sf.oneTimePurchase({
      email: 'connect@example.com',
      lines: [{ unitAmount: 990, metadata: { sku: 'EBOOK' } }],
    });
    stubStripe(h.fake, purchase);
    // Stripe adds `account` to the events of a connected account.
    const events = purchase.ordered.map((event) => ({ ...event, account: connected }));
    await h.publishStripeEvents(events, { 'Billing-Account': 'eu', 'Stripe-Account': connected });

    const order = await waitForOrder(
      h,
      orderIdFor(purchase.session.id),
      (o) => o.status === 'confirmed' && o.amountPaid > 0,
    );
    expect(order).toMatchObject({ account: 'eu', stripeAccount: connected });
    expect(order.payments).toEqual([expect.objectContaining({ account: 'eu', stripeAccount: connected })]);
    const requests = lineItemRequests(h.fake.requests, purchase.session.id);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers['stripe-account']).toBe(connected);
    expect(requests[0]!.headers.authorization).toBe(`Bearer ${ACCOUNT_KEYS.eu}`);

    const customer = await h.api('GET', '/customers/connect@example.com?account=eu');
    expect(customer.body).toMatchObject({ account: 'eu', stripeAccount: connected });
  });
});
