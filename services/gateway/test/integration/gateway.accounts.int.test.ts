import { newWebhookSecret, signStripePayload, stripeFixtures as sf } from '@billing/testkit';
import { stripeEventJson, useGateway } from './harness';

/** A checkout event that happened on a Connect account: Stripe adds `account` to the event. */
function connectEventJson(account: string): string {
  const event = sf.makeEvent('checkout.session.completed', sf.checkoutSession({ amountTotal: 900 }));
  return JSON.stringify({ ...event, account });
}

describe('gateway with several Stripe accounts and Connect', () => {
  const secret = newWebhookSecret();
  const euSecret = newWebhookSecret();
  const h = useGateway({
    secrets: [secret],
    accounts: [{ label: 'eu', webhookSecrets: [euSecret], thinWebhookSecrets: [] }],
  });
  const headersOf = async (eventId: string) => {
    const msgs = await h.stored(eventId);
    expect(msgs).toHaveLength(1);
    const header = msgs[0]!.header;
    return {
      billingAccount: header?.get('Billing-Account') || undefined,
      stripeAccount: header?.get('Stripe-Account') || undefined,
    };
  };

  it("stores an event posted to /webhooks/stripe/eu with eu's secret, with the account header", async () => {
    const body = stripeEventJson();
    const res = await h.post(
      body,
      { 'stripe-signature': signStripePayload(body, euSecret) },
      '/webhooks/stripe/eu',
    );
    expect(res.statusCode).toBe(200);
    expect(await headersOf(JSON.parse(body).id)).toEqual({ billingAccount: 'eu', stripeAccount: undefined });
  });

  it("refuses an event posted to eu's path with the default account's secret, and stores nothing", async () => {
    const body = stripeEventJson();
    const res = await h.post(
      body,
      { 'stripe-signature': signStripePayload(body, secret) },
      '/webhooks/stripe/eu',
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('signature_mismatch');
    expect(await h.stored(JSON.parse(body).id)).toHaveLength(0);
  });

  it('answers 404 for an account label that is not configured', async () => {
    const body = stripeEventJson();
    const res = await h.post(
      body,
      { 'stripe-signature': signStripePayload(body, euSecret) },
      '/webhooks/stripe/us',
    );
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toEqual({
      code: 'unknown_account',
      message: 'no Stripe account "us" is configured (STRIPE_ACCOUNTS)',
    });
    expect(await h.stored(JSON.parse(body).id)).toHaveLength(0);
  });

  it('keeps the default paths for the default account, without an account header', async () => {
    for (const url of ['/webhooks/stripe', '/webhooks/stripe/default']) {
      const body = stripeEventJson();
      const res = await h.post(body, { 'stripe-signature': signStripePayload(body, secret) }, url);
      expect(res.statusCode).toBe(200);
      expect(await headersOf(JSON.parse(body).id)).toEqual({
        billingAccount: undefined,
        stripeAccount: undefined,
      });
    }
  });

  it('stores a Connect event with the Stripe-Account header, on either account', async () => {
    const platform = connectEventJson('acct_1Connected');
    const res = await h.post(platform, { 'stripe-signature': signStripePayload(platform, secret) });
    expect(res.statusCode).toBe(200);
    expect(await headersOf(JSON.parse(platform).id)).toEqual({
      billingAccount: undefined,
      stripeAccount: 'acct_1Connected',
    });

    const eu = connectEventJson('acct_1EuConnected');
    const euRes = await h.post(
      eu,
      { 'stripe-signature': signStripePayload(eu, euSecret) },
      '/webhooks/stripe/eu',
    );
    expect(euRes.statusCode).toBe(200);
    expect(await headersOf(JSON.parse(eu).id)).toEqual({
      billingAccount: 'eu',
      stripeAccount: 'acct_1EuConnected',
    });
  });
});
