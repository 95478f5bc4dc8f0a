import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  adminApi as api,
  postStripeEvent,
  repoRoot,
  stripeFixtures as sf,
  stubStripe,
  waitFor,
  type FakeStripe,
  type RunningSystem,
  type WebhookReceiver,
} from '@billing/testkit';
import { hooks, startWorld, waitForHook, type World } from './e2e-helpers';

jest.setTimeout(120_000);

/** Debian's Chromium (tools/infra/install.sh installs it); playwright cannot download one here. */
const CHROMIUM = '/usr/bin/chromium';
/** `DASHBOARD_SCREENSHOTS=1` writes the README's screenshots (docs/dashboard-*.png). */
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS === '1';

describe('the operators’ dashboard in a browser, against the whole system', () => {
  let world: World;
  let fake: FakeStripe;
  let receiver: WebhookReceiver;
  let system: RunningSystem;
  let browser: Browser;
  let page: Page;
  let dashboard: string;

  const heading = () => page.getByRole('heading', { level: 1 }).textContent();
  const shot = async (name: string) => {
    if (!SCREENSHOTS) return;
    const dir = path.join(repoRoot(), 'docs');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, `dashboard-${name}.png`), fullPage: true });
  };
  /** Reloads until the page shows `text` (the services work asynchronously). */
  const reloadUntil = (text: string | RegExp) =>
    waitFor(
      async () => {
        const body = (await page.locator('main').textContent()) ?? '';
        if (typeof text === 'string' ? body.includes(text) : text.test(body)) return true;
        await page.reload();
        return false;
      },
      { timeoutMs: 20_000, intervalMs: 300, what: `the page to show ${text}` },
    );

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: run bash tools/infra/install.sh as root (apt-get install -y chromium)`,
      );
    }
    [world, browser] = await Promise.all([
      startWorld({
        dashboard: true,
        env: { OUTBOX_RELAY_INTERVAL_MS: '300', WEBHOOK_POLL_INTERVAL_MS: '100' },
      }),
      chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      }),
    ]);
    ({ fake, receiver, system } = world);
    dashboard = system.urls.dashboard!;
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await world?.stop();
  });

  it('signs in, finds a purchase, replays its webhook and revokes its license', async () => {
    // Signed out, every page leads to the sign-in form; a wrong token is refused.
    await page.goto(`${dashboard}/parked`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await shot('login');
    await page.getByLabel('Admin token').fill('not-the-admin-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not the admin token');
    await page.getByLabel('Admin token').fill(system.adminToken);
    await page.getByLabel('Admin token').press('Enter');
    // ... and back to the page asked for.
    expect(await heading()).toBe('Parked messages');
    await page.goto(dashboard);
    expect(await heading()).toBe('Overview');
    // Keyboard users reach the content first.
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to content');

    // A checkout through the gateway, as Stripe posts it.
    const email = `dash.${Date.now()}@example.com`;
    const purchase = sf.oneTimePurchase({
      email,
      lines: [{ quantity: 1, unitAmount: 4900, metadata: { sku: 'PRO-LIFETIME', tier: 'pro' } }],
    });
    stubStripe(fake, purchase);
    for (const event of purchase.ordered) {
      expect(await postStripeEvent(system.urls.gateway, system.webhookSecret, event)).toBe(200);
    }
    const delivered = await waitForHook(receiver, 'checkout.completed', (d) => d.customerEmail === email);
    await page.reload();

    // Find the order by email: the customer, then the order with its lines, license and webhook.
    await page.getByLabel('Order or customer').fill(email);
    await page.getByLabel('Order or customer').press('Enter');
    expect(await heading()).toBe(`Customer ${email}`);
    await page.getByRole('table', { name: 'Orders, newest first' }).getByRole('link').first().click();
    expect(await heading()).toMatch(/^Order ord_/);
    const orderPage = page.url();
    await reloadUntil(/checkout\.completed\s*ep_\S+\s*delivered/);
    expect(await page.getByRole('table', { name: 'Order lines' }).textContent()).toContain('PRO-LIFETIME');
    const licenses = page.getByRole('table', { name: 'Licenses' });
    expect(await licenses.textContent()).toContain('active');
    await shot('order');

    // The delivery: its attempts, then a replay that reaches the receiver again, same webhook id.
    await page.getByRole('row').filter({ hasText: 'checkout.completed' }).getByRole('link').first().click();
    expect(await heading()).toMatch(/^Webhook message whmsg_/);
    expect(await page.getByRole('table', { name: 'Delivery attempts, first to last' }).textContent()).toMatch(
      /succeeded\s*204/,
    );
    await page.getByRole('button', { name: 'Replay this message' }).click();
    expect(await page.getByRole('status').textContent()).toContain('queued for delivery again');
    await waitFor(
      () => hooks(receiver, 'checkout.completed', (d) => d.customerEmail === email).length === 2,
      {
        timeoutMs: 20_000,
        what: 'the replayed delivery',
      },
    );
    expect(hooks(receiver, 'checkout.completed', (d) => d.customerEmail === email)[1]!.id).toBe(delivered.id);
    await reloadUntil(/Status\s*delivered/);
    await shot('webhook-message');
    await page.getByRole('link', { name: /^ep_/ }).first().click();
    expect(await heading()).toMatch(/^Endpoint ep_/);
    await shot('webhook-endpoint');

    // The checkout's Stripe event: orders applied it; licensing and notifications handled the
    // domain events of its chain (they carry its id as their correlationId).
    const checkoutEvent = purchase.ordered.find((e) => e.type === 'checkout.session.completed')!;
    await page.getByRole('navigation').getByRole('link', { name: 'Stripe events' }).click();
    expect(await heading()).toBe('Stripe events');
    await page.getByLabel('Stripe event id').fill('evt_never_sent');
    await page.getByLabel('Stripe event id').press('Enter');
    expect(await page.getByRole('status').textContent()).toContain('No service knows the Stripe event');
    await page.getByLabel('Stripe event id').fill(checkoutEvent.id);
    await page.getByLabel('Stripe event id').press('Enter');
    await reloadUntil('licensing.order.licensed.v1');
    const byOrders = page.getByRole('table', { name: 'What orders handled for this event, oldest first' });
    expect(await byOrders.textContent()).toMatch(
      /stripe\.event\.checkout\.session\.completed\s*orders-stripe\s*applied/,
    );
    const byLicensing = page.getByRole('table', {
      name: 'What licensing handled for this event, oldest first',
    });
    expect(await byLicensing.textContent()).toMatch(
      /orders\.order\.confirmed\.v1\s*licensing-orders\s*applied/,
    );
    const byNotifications = page.getByRole('table', {
      name: 'What notifications handled for this event, oldest first',
    });
    expect(await byNotifications.textContent()).toContain('licensing.order.licensed.v1');
    await shot('stripe-event');

    // Searched by the customer's email (any case), the list finds the checkout's event and says
    // what orders did with it; its id leads back to the page above.
    await page.getByLabel('Stripe event id').fill('');
    await page.getByLabel('Email', { exact: true }).fill(email.toUpperCase());
    await page.getByLabel('Email', { exact: true }).press('Enter');
    const found = page.getByRole('table', { name: 'Stripe events found, newest first' });
    const checkoutRow = found.getByRole('row').filter({ hasText: checkoutEvent.id });
    expect(await checkoutRow.textContent()).toMatch(
      /checkout\.session\.completed[\s\S]*orders\s*orders-stripe\s*applied/,
    );
    await shot('stripe-events-search');
    await checkoutRow.getByRole('link', { name: checkoutEvent.id }).click();
    expect(await byOrders.textContent()).toContain('orders-stripe');

    // Replayed through the consumers: orders' handler runs again and, the order being there
    // already, changes nothing; the outcome per service and consumer is shown after the redirect.
    await page.getByRole('button', { name: 'Replay through the consumers' }).click();
    expect(await heading()).toBe('Stripe events');
    const outcomes = page.getByRole('table', { name: 'Replay outcomes by service and consumer' });
    expect(await outcomes.getByRole('row').filter({ hasText: 'orders-stripe' }).textContent()).toMatch(
      /orders\s*orders-stripe\s*(done|skipped)\s*1/,
    );
    expect(await page.getByRole('region', { name: 'Replay result' }).textContent()).toContain(
      'orders: 1 event run again',
    );

    // Missed events: Stripe's Events API lists the checkout's events, which the gateway stored
    // when they were delivered; it finds them all present and stores nothing.
    fake.put(...purchase.ordered);
    await page.getByRole('navigation').getByRole('link', { name: 'Stripe events' }).click();
    await page
      .getByLabel('Look for missed Stripe events since (UTC)')
      .fill(new Date(Date.now() - 3_600_000).toISOString().slice(0, 16));
    // The scenario's clock stamps its events a few seconds ahead: the range ends after them.
    await page
      .getByLabel('Until (UTC, optional: now)')
      .fill(new Date(Date.now() + 3_600_000).toISOString().slice(0, 16));
    await page.getByRole('button', { name: 'Look for missed events' }).click();
    const reconciled = (await page.getByRole('status').textContent()) ?? '';
    const counts = /found (\d+), already present (\d+), stored (\d+)/.exec(reconciled);
    expect(counts).not.toBeNull();
    const [listed, present, stored] = counts!.slice(1).map(Number);
    expect(listed).toBeGreaterThanOrEqual(1);
    expect([present, stored]).toEqual([listed, 0]);

    // The overview counts the Stripe events received by type and shows every consumer's lag.
    await page.goto(dashboard);
    const byType = page.getByRole('table', { name: 'Stripe events received, by type, most first' });
    expect(
      await byType.getByRole('row').filter({ hasText: 'checkout.session.completed' }).textContent(),
    ).toMatch(/checkout\.session\.completed\s*[1-9]/);
    const lag = page.getByRole('table', { name: 'Durable consumers, as JetStream sees them' });
    for (const consumer of [
      'orders-stripe',
      'licensing-stripe',
      'licensing-orders',
      'notifications-orders',
    ]) {
      expect(await lag.getByRole('row').filter({ hasText: consumer }).count()).toBe(1);
    }
    await shot('overview');

    // The license: a POST without the session's CSRF token is refused, the form's is not.
    await page.goto(orderPage);
    await licenses.getByRole('link', { name: /^lic_/ }).click();
    expect(await heading()).toMatch(/^License lic_/);
    const key = (await page.locator('.license-key').textContent())!;
    const forged = await page.request.post(`${page.url()}/revoke`, {
      form: { confirm: 'yes', csrf: 'forged' },
    });
    expect(forged.status()).toBe(403);
    await shot('license');
    await page.getByLabel('I understand that a revoked license can never be used again.').check();
    await page.getByRole('button', { name: 'Revoke license' }).click();
    expect(await page.getByRole('status').textContent()).toContain('License revoked.');
    expect(await page.locator('dl.facts').textContent()).toContain('revoked (admin)');

    // The licensing service's public verification agrees.
    const verified = await api<{ code: string }>(`${system.urls.licensing}/licenses/verify`, '', {
      method: 'POST',
      body: { key },
    });
    expect(verified.body.code).toBe('REVOKED');

    await page.goto(`${dashboard}/webhooks`);
    await shot('webhooks');

    // A checkout without any email can never become an order: orders parks it, and says why.
    const anonymous = sf.oneTimePurchase({ lines: [{ metadata: { sku: 'EBOOK-STRIPE-BILLING' } }] });
    const session = { ...anonymous.session, customer_details: null, customer_email: null };
    stubStripe(fake, anonymous);
    const event = sf.makeEvent('checkout.session.completed', session);
    expect(await postStripeEvent(system.urls.gateway, system.webhookSecret, event)).toBe(200);
    await page.goto(`${dashboard}/parked?service=orders`);
    await reloadUntil('no customer email');
    await shot('parked');
    const parked = page.getByRole('row').filter({ hasText: 'no customer email' });
    expect(await parked.textContent()).toContain('permanent');
    await parked.getByRole('button', { name: 'Replay' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('permanent_failure');
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(new URL(page.url()).pathname).toBe('/login');
  });
});
