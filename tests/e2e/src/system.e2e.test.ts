import {
  adminApi as api,
  connectTestNats,
  postStripeEvent,
  stripeFixtures as sf,
  stubStripe,
  waitFor,
  metricValue,
  newWebhookSecret,
  parseMetrics,
  type FakeStripe,
  type NatsServer,
  type RunningSystem,
  type TestSmtpServer,
  type WebhookReceiver,
} from '@billing/testkit';
import {
  hooks,
  mailsTo,
  settle,
  shuffled,
  startWorld,
  waitForHook,
  waitForMail,
  type World,
} from './e2e-helpers';

jest.setTimeout(180_000);

type Verify = { valid: boolean; code: string; status: string; expiresAt: string | null; tier: string | null };
type License = { key: string; licenseId: string; orderId: string };
type Order = { orderId: string; status: string; paymentStatus: string; customerEmail: string };

const iso = (unix: number) => new Date(unix * 1000).toISOString();
const EU_SECRET = 'whsec_ZXVyb3BlYW4tYWNjb3VudC1zaWduaW5nLXNlY3JldA==';

describe('the whole system: four processes on real NATS, the Mongo-protocol store and SMTP', () => {
  let nats: NatsServer;
  let smtp: TestSmtpServer;
  let fake: FakeStripe;
  let receiver: WebhookReceiver;
  let system: RunningSystem;
  let endpointId: string;
  const thinSecret = newWebhookSecret();

  const post = async (events: ReadonlyArray<unknown>) => {
    for (const event of events)
      expect(await postStripeEvent(system.urls.gateway, system.webhookSecret, event)).toBe(200);
  };
  const verify = async (key: string) =>
    (await api<Verify>(`${system.urls.licensing}/licenses/verify`, '', { method: 'POST', body: { key } }))
      .body;
  const waitForVerify = (key: string, code: string) =>
    waitFor(async () => ((await verify(key)).code === code ? verify(key) : undefined), {
      timeoutMs: 30_000,
      what: `license ${code}`,
    });
  const ordersOf = async (email: string) =>
    (
      await api<{ items: Order[] }>(
        `${system.urls.orders}/orders?email=${encodeURIComponent(email)}`,
        system.adminToken,
      )
    ).body.items;

  let world: World;
  beforeAll(async () => {
    world = await startWorld({
      env: {
        CONSUMER_RETRY_BASE_MS: '100',
        CONSUMER_RETRY_MAX_DELAY_MS: '3200',
        CONSUMER_RETRY_FOR_MS: '8000',
        OUTBOX_RELAY_INTERVAL_MS: '500',
        WEBHOOK_RETRY_SCHEDULE_MS: '0,300,600,1200',
        WEBHOOK_POLL_INTERVAL_MS: '100',
        STRIPE_THIN_WEBHOOK_SECRET: thinSecret,
        // A second Stripe account, `eu`, with its own key and webhook secret.
        STRIPE_ACCOUNTS: JSON.stringify({
          eu: { secretKey: 'sk_test_eu_account', webhookSecrets: [EU_SECRET] },
        }),
      },
    });
    ({ nats, smtp, fake, receiver, system, endpointId } = world);
  });

  afterAll(() => world?.stop());

  afterEach(() => {
    // Every delivery that reached the receiver verified with the standardwebhooks package.
    expect(receiver.rejected).toEqual([]);
  });

  it.each(['basil', 'legacy'] as const)(
    '%s payloads: subscription purchase, renewal, past_due and back, plan change, cancellation',
    async (shape) => {
      const email = `ada.${shape}@example.com`;
      const purchase = sf.subscriptionPurchase({ shape, email, tier: 'pro' });
      stubStripe(fake, purchase);
      await post(purchase.ordered);

      // The purchase email carries the key; the verified checkout.completed carries the same key.
      const mail = await waitForMail(smtp, email, /order .* is confirmed/);
      const hook = await waitForHook(receiver, 'checkout.completed', (d) => d.customerEmail === email);
      const [license] = hook.data.licenses as License[];
      expect(license).toBeDefined();
      expect(mail.parsed.text).toContain(license!.key);
      expect(mail.parsed.html).toContain(license!.key);
      const periodEnd = purchase.subscription.items.data[0]!.current_period_end!;
      expect(await verify(license!.key)).toMatchObject({
        valid: true,
        code: 'VALID',
        tier: 'PRO',
        expiresAt: iso(periodEnd),
      });
      const [order] = await ordersOf(email);
      expect(order).toMatchObject({ status: 'confirmed', customerEmail: email });
      // ... and the matching domain event is on the bus, once.
      const bus = await connectTestNats(nats.urlFor('ops'));
      const confirmed = (await bus.messages('ORDERS_EVENTS', 'orders.order.confirmed.v1')).filter(
        (m) => JSON.parse(Buffer.from(m.data).toString()).payload.order.orderId === order!.orderId,
      );
      await bus.close();
      expect(confirmed).toHaveLength(1);
      expect(JSON.parse(Buffer.from(confirmed[0]!.data).toString())).toMatchObject({
        id: `orders.order.confirmed:${order!.orderId}`,
        payload: { order: { customerEmail: email, subscriptionId: purchase.subscription.id } },
      });
      await waitForMail(smtp, email, /Welcome to .* PRO/i);

      // Renewal: a receipt, and expiry moves to the new period end.
      const renewed = sf.renewal(purchase);
      stubStripe(fake, renewed);
      await post(renewed.ordered);
      await waitForMail(smtp, email, /^Receipt:/);
      const newEnd = iso(renewed.subscription.items.data[0]!.current_period_end!);
      await waitFor(async () => (await verify(license!.key)).expiresAt === newEnd, {
        timeoutMs: 30_000,
        what: 'extended',
      });

      // Dunning suspends, recovery reactivates.
      const due = sf.pastDue(renewed);
      stubStripe(fake, due);
      await post(due.ordered);
      await waitForVerify(license!.key, 'SUSPENDED');
      const back = sf.reactivated(due);
      stubStripe(fake, back);
      await post(back.ordered);
      await waitForVerify(license!.key, 'VALID');

      // Plan change moves license and customer to the new tier.
      const upgraded = sf.planChange(back, { tier: 'premium' });
      stubStripe(fake, upgraded);
      await post(upgraded.ordered);
      await waitFor(async () => (await verify(license!.key)).tier === 'PREMIUM', {
        timeoutMs: 30_000,
        what: 'tier',
      });
      await waitForMail(smtp, email, /plan is now PREMIUM/i);

      // Cancellation revokes, the customer is back to FREE, and is told.
      const cancelled = sf.cancellation(upgraded);
      stubStripe(fake, cancelled);
      await post(cancelled.ordered);
      await waitForVerify(license!.key, 'REVOKED');
      const entitlements = await api<{ tier: string }>(
        `${system.urls.licensing}/customers/${encodeURIComponent(email)}/entitlements`,
        system.adminToken,
      );
      expect(entitlements.body.tier).toBe('FREE');
      await waitForMail(smtp, email, /has ended/);
      await waitForHook(
        receiver,
        'subscription.cancelled',
        (d) => d.subscriptionId === purchase.subscription.id,
      );
      expect((await ordersOf(email))[0]?.status).toBe('cancelled');

      // Exactly once per moment: one purchase email and one checkout.completed for this order.
      await settle();
      expect(mailsTo(smtp, email, /order .* is confirmed/)).toHaveLength(1);
      expect(hooks(receiver, 'checkout.completed', (d) => d.customerEmail === email)).toHaveLength(1);
    },
  );

  it('one-time purchase, then a full refund revokes and a partial refund does not', async () => {
    const lines = [{ quantity: 1, unitAmount: 4900, metadata: { sku: 'PRO-LIFETIME', tier: 'pro' } }];
    const full = sf.oneTimePurchase({ email: 'grace.full@example.com', lines });
    const partial = sf.oneTimePurchase({ email: 'grace.partial@example.com', lines });
    for (const p of [full, partial]) {
      stubStripe(fake, p);
      await post(p.ordered);
    }
    const fullMail = await waitForMail(smtp, 'grace.full@example.com', /order .* is confirmed/);
    expect(fullMail.parsed.text).toContain('https://downloads.example.com/pro/latest');
    const [fullKey] = (
      await waitForHook(receiver, 'checkout.completed', (d) => d.customerEmail === 'grace.full@example.com')
    ).data.licenses as License[];
    const [partialKey] = (
      await waitForHook(
        receiver,
        'checkout.completed',
        (d) => d.customerEmail === 'grace.partial@example.com',
      )
    ).data.licenses as License[];
    expect(await verify(fullKey!.key)).toMatchObject({ code: 'VALID', expiresAt: null });

    const refunded = sf.fullRefund(full);
    const halfRefunded = sf.partialRefund(partial, { amount: 1000 });
    for (const r of [refunded, halfRefunded]) {
      stubStripe(fake, r);
      await post(r.ordered);
    }
    await waitForVerify(fullKey!.key, 'REVOKED');
    await waitForMail(smtp, 'grace.full@example.com', /has been refunded/);
    await waitForMail(smtp, 'grace.partial@example.com', /A refund of \$10\.00/);
    await waitFor(
      async () => (await ordersOf('grace.partial@example.com'))[0]?.status === 'partially_refunded',
      {
        timeoutMs: 30_000,
        what: 'partially refunded order',
      },
    );
    expect((await ordersOf('grace.full@example.com'))[0]?.status).toBe('refunded');
    expect(await verify(partialKey!.key)).toMatchObject({ code: 'VALID' });
    await waitForHook(receiver, 'order.refunded', (d) => d.customerEmail === 'grace.partial@example.com');
  });

  it('a purchase delivered as thin event notifications is applied like its snapshot events', async () => {
    const email = 'thin.events@example.com';
    const lines = [{ quantity: 1, unitAmount: 4900, metadata: { sku: 'PRO-LIFETIME', tier: 'pro' } }];
    const purchase = sf.oneTimePurchase({ email, lines });
    stubStripe(fake, purchase);
    for (const event of purchase.ordered as ReadonlyArray<{ id: string; type: string; object: string }>) {
      // The gateway fetches each snapshot event from Stripe's API (GET /v1/events/:id).
      fake.put(event);
      const notification = {
        id: `evt_test_65${event.id.replace(/^evt_/, '')}`,
        object: 'v2.core.event',
        type: `v1.${event.type}`,
        livemode: false,
        created: new Date().toISOString(),
        context: null,
        snapshot_event: event.id,
      };
      expect(await postStripeEvent(system.urls.gateway, thinSecret, notification)).toBe(200);
    }
    const hook = await waitForHook(receiver, 'checkout.completed', (d) => d.customerEmail === email);
    const [license] = hook.data.licenses as License[];
    expect(await verify(license!.key)).toMatchObject({ code: 'VALID', tier: 'PRO' });
    expect((await ordersOf(email))[0]).toMatchObject({ status: 'confirmed', customerEmail: email });
  });

  it("events only in Stripe's API are found by the reconciler and applied once, also when the webhook brings them at the same time", async () => {
    const lines = [{ quantity: 1, unitAmount: 4900, metadata: { sku: 'PRO-LIFETIME', tier: 'pro' } }];
    const missed = sf.oneTimePurchase({ email: 'rosalind.missed@example.com', lines });
    const racing = sf.oneTimePurchase({ email: 'rosalind.racing@example.com', lines });
    for (const p of [missed, racing]) {
      stubStripe(fake, p);
      fake.put(...p.ordered);
    }
    const now = Math.floor(Date.now() / 1000);
    const range = `since=${iso(now - 60)}&until=${iso(now + 600)}`;
    type Reconciled = { found: number; alreadyPresent: number; stored: number };
    const [answer] = await Promise.all([
      api<Reconciled>(`${system.urls.gateway}/admin/reconcile?${range}`, system.adminToken, {
        method: 'POST',
      }),
      post(racing.ordered),
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.stored).toBeGreaterThanOrEqual(missed.ordered.length);
    expect(answer.body.found).toBe(answer.body.alreadyPresent + answer.body.stored);

    for (const email of ['rosalind.missed@example.com', 'rosalind.racing@example.com']) {
      await waitForMail(smtp, email, /order .* is confirmed/);
      await waitForHook(receiver, 'checkout.completed', (d) => d.customerEmail === email);
    }
    // Once more, after everything was applied: all present, nothing stored, nothing sent again.
    const again = await api<Reconciled>(
      `${system.urls.gateway}/admin/reconcile?${range}`,
      system.adminToken,
      {
        method: 'POST',
      },
    );
    expect(again.body).toMatchObject({ found: answer.body.found, stored: 0 });
    // And replayed from the stream through every Stripe consumer: applied again, nothing new.
    const eventIds = [...missed.ordered, ...racing.ordered].map((e) => e.id);
    for (const service of ['orders', 'licensing'] as const) {
      const replay = await api<{ items: Array<{ outcome: string }> }>(
        `${system.urls[service]}/admin/stripe-events/replay`,
        system.adminToken,
        { method: 'POST', body: { eventIds } },
      );
      expect(replay.status).toBe(200);
      for (const item of replay.body.items) expect(['done', 'skipped']).toContain(item.outcome);
      if (service === 'orders') expect(replay.body.items.length).toBeGreaterThan(0);
    }
    await settle();
    for (const email of ['rosalind.missed@example.com', 'rosalind.racing@example.com']) {
      expect(mailsTo(smtp, email, /order .* is confirmed/)).toHaveLength(1);
      const delivered = hooks(receiver, 'checkout.completed', (d) => d.customerEmail === email);
      expect(delivered).toHaveLength(1);
      expect(await ordersOf(email)).toHaveLength(1);
      const [license] = delivered[0]!.data.licenses as License[];
      expect(await verify(license!.key)).toMatchObject({ code: 'VALID' });
    }
  });

  it('a checkout in a second Stripe account is its own order, license and webhook, carrying the account', async () => {
    const email = 'hedy.accounts@example.com';
    const lines = [{ quantity: 1, unitAmount: 4900, metadata: { sku: 'PRO-LIFETIME', tier: 'pro' } }];
    const home = sf.oneTimePurchase({ email, lines });
    const eu = sf.oneTimePurchase({ email, lines });
    for (const p of [home, eu]) stubStripe(fake, p);
    await post(home.ordered);
    for (const event of eu.ordered)
      expect(await postStripeEvent(system.urls.gateway, EU_SECRET, event, '/webhooks/stripe/eu')).toBe(200);
    // The default account's secret does not open the eu path.
    expect(
      await postStripeEvent(system.urls.gateway, system.webhookSecret, eu.ordered[0], '/webhooks/stripe/eu'),
    ).toBe(400);

    const euHook = await waitForHook(receiver, 'checkout.completed', (d) => d.account === 'eu');
    const homeHook = await waitForHook(
      receiver,
      'checkout.completed',
      (d) => d.customerEmail === email && d.account === undefined,
    );
    expect(euHook.data.customerEmail).toBe(email);
    await waitFor(async () => (await ordersOf(email)).length === 2, {
      timeoutMs: 30_000,
      what: 'two orders',
    });
    const [euLicense] = euHook.data.licenses as License[];
    const [homeLicense] = homeHook.data.licenses as License[];
    expect(euLicense!.key).not.toBe(homeLicense!.key);
    expect(await verify(euLicense!.key)).toMatchObject({ code: 'VALID' });
    // The eu checkout's Stripe calls used the eu account's key.
    const euCalls = fake.requests.filter((r) => r.path.includes(eu.session.id));
    expect(euCalls.length).toBeGreaterThan(0);
    for (const call of euCalls) expect(call.headers.authorization).toBe('Bearer sk_test_eu_account');
  });

  it('a declined renewal tells the customer why and what to do', async () => {
    const email = 'linus.declined@example.com';
    const purchase = sf.subscriptionPurchase({ email, tier: 'pro' });
    stubStripe(fake, purchase);
    await post(purchase.ordered);
    await waitForMail(smtp, email, /order .* is confirmed/);
    const failed = sf.paymentFailed(purchase);
    stubStripe(fake, failed);
    await post(failed.ordered);
    const mail = await waitForMail(smtp, email, /did not go through/);
    expect(mail.parsed.text).toMatch(/insufficient funds/i);
    const hook = await waitForHook(receiver, 'payment.failed', (d) => d.customerEmail === email);
    expect(hook.data).toMatchObject({
      reason: expect.objectContaining({ declineCode: 'insufficient_funds' }),
    });
  });

  it('every event posted twice and shuffled gives the same outcome and nothing extra', async () => {
    const email = 'shuffled.twice@example.com';
    const purchase = sf.subscriptionPurchase({ email, tier: 'pro' });
    const renewed = sf.renewal(purchase);
    stubStripe(fake, purchase);
    stubStripe(fake, renewed);
    const events = [...purchase.ordered, ...renewed.ordered];
    await post(shuffled([...events, ...events], 42));

    const hook = await waitForHook(receiver, 'checkout.completed', (d) => d.customerEmail === email);
    const [license] = hook.data.licenses as License[];
    const newEnd = iso(renewed.subscription.items.data[0]!.current_period_end!);
    await waitFor(async () => (await verify(license!.key)).expiresAt === newEnd, {
      timeoutMs: 30_000,
      what: 'renewed',
    });
    await waitForMail(smtp, email, /^Receipt:/);
    await settle(3000);
    expect(await ordersOf(email)).toHaveLength(1);
    expect(mailsTo(smtp, email, /order .* is confirmed/)).toHaveLength(1);
    expect(mailsTo(smtp, email, /^Receipt:/)).toHaveLength(1);
    expect(hooks(receiver, 'checkout.completed', (d) => d.customerEmail === email)).toHaveLength(1);
    expect(hooks(receiver, 'license.issued', (d) => d.customerEmail === email)).toHaveLength(1);
  });

  it('a receiver that fails first gets the webhook on a retry, and a replay delivers it again', async () => {
    const email = 'retry.receiver@example.com';
    const attemptsBefore = receiver.attempts;
    receiver.failNext(2, 'checkout.completed');
    const purchase = sf.oneTimePurchase({ email, lines: [{ metadata: { sku: 'EBOOK-STRIPE-BILLING' } }] });
    stubStripe(fake, purchase);
    await post(purchase.ordered);
    const hook = await waitForHook(receiver, 'checkout.completed', (d) => d.customerEmail === email);
    expect(receiver.attempts - attemptsBefore).toBeGreaterThanOrEqual(3);

    // The message's attempt log shows the two refusals, then the delivery.
    type Message = { id: string; eventId: string; event: string };
    type Attempt = { statusCode: number | null };
    const messages = await api<{ items: Message[] }>(
      `${system.urls.notifications}/webhooks/endpoints/${endpointId}/messages?limit=500`,
      system.adminToken,
    );
    const message = messages.body.items.find(
      (m) => m.eventId === hook.id && m.event === 'checkout.completed',
    );
    expect(message).toBeDefined();
    const detail = await api<{ attemptLog: Attempt[] }>(
      `${system.urls.notifications}/webhooks/messages/${message!.id}`,
      system.adminToken,
    );
    expect(detail.body.attemptLog.map((a) => a.statusCode)).toEqual([500, 500, 204]);

    const replay = await api(
      `${system.urls.notifications}/webhooks/messages/${message!.id}/replay`,
      system.adminToken,
      {
        method: 'POST',
      },
    );
    expect(replay.status).toBeLessThan(300);
    await waitFor(
      () => hooks(receiver, 'checkout.completed', (d) => d.customerEmail === email).length === 2,
      {
        timeoutMs: 30_000,
        what: 'the replayed delivery',
      },
    );
    const [first, second] = hooks(receiver, 'checkout.completed', (d) => d.customerEmail === email);
    expect(second!.id).toBe(first!.id);
  });

  it('every service serves its metrics to the metrics token, counting the traffic above', async () => {
    const scrape = async (service: keyof RunningSystem['urls']) => {
      const res = await fetch(`${system.urls[service]}/metrics`, {
        headers: { authorization: `Bearer ${system.metricsToken}` },
      });
      expect(res.status).toBe(200);
      return parseMetrics(await res.text());
    };
    const [gateway, orders, licensing, notifications] = await Promise.all([
      scrape('gateway'),
      scrape('orders'),
      scrape('licensing'),
      scrape('notifications'),
    ]);
    const webhookRoute = { route: '/api/billing/webhooks', code: '200' };
    expect(metricValue(gateway, 'billing_http_requests_total', webhookRoute)).toBeGreaterThan(0);
    expect(metricValue(gateway, 'billing_jetstream_publish_duration_seconds_count')).toBeGreaterThan(0);
    const done = { outcome: 'done' };
    expect(
      metricValue(orders, 'billing_consumer_messages_total', { consumer: 'orders-stripe', ...done }),
    ).toBeGreaterThan(0);
    expect(metricValue(orders, 'billing_consumer_pending_messages', { consumer: 'orders-stripe' })).toBe(0);
    expect(metricValue(licensing, 'billing_licenses_issued_total')).toBeGreaterThan(0);
    expect(metricValue(licensing, 'billing_license_verifications_total', { code: 'VALID' })).toBeGreaterThan(
      0,
    );
    expect(metricValue(notifications, 'billing_emails_total', { outcome: 'sent' })).toBeGreaterThan(0);
    expect(
      metricValue(notifications, 'billing_webhook_deliveries_total', {
        endpoint: endpointId,
        outcome: 'delivered',
      }),
    ).toBeGreaterThan(0);
    for (const samples of [gateway, orders, licensing, notifications]) {
      expect(metricValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    }
  });
});
