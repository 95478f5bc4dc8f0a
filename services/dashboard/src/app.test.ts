import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type HttpApp } from '@billing/runtime';
import { buildDashboardApp } from './app';
import { loadConfig } from './config';

const TOKEN = 'admin-token-0123456789';
const FORM = 'application/x-www-form-urlencoded';

/** The other services' APIs, as an HTTP server (answers by `METHOD path`; records every request). */
async function startFakeServices(answers: Record<string, unknown>) {
  const requests: Array<{ method: string; url: string; authorization?: string }> = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
    const answer = answers[`${req.method} ${decodeURIComponent(req.url!.split('?')[0]!)}`];
    res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer ?? { error: { code: 'not_found', message: 'no such thing' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const LICENSE = {
  licenseId: 'lic_1',
  key: 'LIC1.payload.signature',
  status: 'active',
  revokeReason: null,
  productSku: 'PRO-1Y',
  productName: 'Pro',
  tier: 'PRO',
  orderId: 'ord_1',
  subscriptionId: null,
  customerEmail: 'ada@example.com',
  expiresAt: null,
  issuedAt: '2026-03-05T10:00:00.000Z',
};

const STRIPE_EVENT = {
  id: 'evt_ada_checkout',
  type: 'checkout.session.completed',
  customer: 'cus_Ada',
  email: 'ada@example.com',
  createdAt: '2026-03-05T10:00:00.000Z',
  firstAt: '2026-03-05T10:00:01.000Z',
  lastAt: '2026-03-05T10:00:01.000Z',
  consumers: [
    {
      consumer: 'orders-stripe',
      messageId: 'evt_ada_checkout',
      subject: 'stripe.event.checkout.session.completed',
      stripeEventId: 'evt_ada_checkout',
      outcome: 'done',
      reason: null,
      deliveryCount: 1,
      streamSequence: 7,
      eventType: 'checkout.session.completed',
      customer: 'cus_Ada',
      email: 'ada@example.com',
      firstAt: '2026-03-05T10:00:01.000Z',
      lastAt: '2026-03-05T10:00:01.000Z',
    },
  ],
};

const CONSUMERS = {
  consumers: [
    {
      consumer: 'orders-stripe',
      stream: 'STRIPE_EVENTS',
      pending: 12,
      ackPending: 3,
      redelivered: 1,
      waiting: 0,
      lastDelivered: { streamSequence: 40, at: '2026-03-05T10:00:00.000Z' },
    },
  ],
  missing: ['orders-gone'],
  streams: [
    {
      stream: 'STRIPE_EVENTS',
      messages: 52,
      firstAt: '2026-03-01T00:00:00.000Z',
      subjects: [
        { subject: 'stripe.event.checkout.session.completed', messages: 50 },
        { subject: 'stripe.event.invoice.paid', messages: 2 },
      ],
    },
  ],
};

describe('dashboard app (sign-in, CSRF, escaping, services down)', () => {
  let fake: Awaited<ReturnType<typeof startFakeServices>>;
  let app: HttpApp;

  const build = (env: Record<string, string>) =>
    buildDashboardApp({
      config: loadConfig({ ADMIN_API_TOKEN: TOKEN, ...env }),
      logger: createLogger({ service: 'dashboard-test', version: 'test', level: 'silent' }),
    });

  beforeAll(async () => {
    fake = await startFakeServices({
      'GET /customers/ada@example.com': {
        email: 'ada@example.com',
        name: '<script>alert(1)</script>',
        stripeCustomerIds: [],
        createdAt: '2026-03-05T10:00:00.000Z',
        orders: [],
        payments: [],
      },
      'GET /licenses': { licenses: [LICENSE] },
      'GET /admin/customers/ada@example.com/notifications': { emails: [], webhookMessages: [] },
      'POST /admin/licenses/lic_1/suspend': { license: { ...LICENSE, status: 'suspended' } },
      'GET /admin/stripe-events': { items: [STRIPE_EVENT], nextBefore: null },
      'GET /admin/consumers': CONSUMERS,
    });
    app = await build({ ORDERS_URL: fake.url, LICENSING_URL: fake.url, NOTIFICATIONS_URL: fake.url });
  });

  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  /** Signs in through the form, as a browser would; returns the session cookie and a page's CSRF token. */
  async function signIn(next = '/') {
    const form = await app.inject({ method: 'GET', url: `/login?next=${encodeURIComponent(next)}` });
    const nonce = /dashboard_login=([^;]+)/.exec(String(form.headers['set-cookie']))![1]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
    return app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: `dashboard_login=${nonce}`, 'content-type': FORM },
      payload: new URLSearchParams({ csrf, next, token: TOKEN }).toString(),
    });
  }

  it('sends signed-out visitors to the sign-in form and back to the page they asked for', async () => {
    const anonymous = await app.inject({ method: 'GET', url: '/licenses/lic_1' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Flicenses%2Flic_1');

    const signedIn = await signIn('/licenses/lic_1');
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/licenses/lic_1');
    const cookies = [signedIn.headers['set-cookie']].flat().join('\n');
    expect(cookies).toMatch(/^dashboard_session=[^;]+; Path=\/; Max-Age=28800; HttpOnly; SameSite=Strict$/m);
    // Another site is never a destination.
    expect((await signIn('//evil.example/')).headers.location).toBe('/');
  });

  it('refuses a wrong token and a sign-in form it did not serve', async () => {
    const form = await app.inject({ method: 'GET', url: '/login' });
    const nonce = /dashboard_login=([^;]+)/.exec(String(form.headers['set-cookie']))![1]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const post = (cookie: string, fields: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/login',
        headers: { cookie, 'content-type': FORM },
        payload: new URLSearchParams(fields).toString(),
      });
    const wrong = await post(`dashboard_login=${nonce}`, { csrf, token: 'x'.repeat(22) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('not the admin token');
    expect(wrong.headers['set-cookie']).not.toMatch(/dashboard_session/);
    const forged = await post('', { csrf, token: TOKEN });
    expect(forged.statusCode).toBe(401);
    expect(forged.headers['set-cookie']).not.toMatch(/dashboard_session/);
  });

  it('shows what the services answer as text only, with a policy that runs no script', async () => {
    const session = /dashboard_session=[^;]+/.exec(String((await signIn()).headers['set-cookie']))![0];
    const page = await app.inject({
      method: 'GET',
      url: '/customers/ADA@example.com',
      headers: { cookie: session },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['cache-control']).toBe('no-store');
    expect(fake.requests.find((r) => r.url === '/licenses?email=ada%40example.com')?.authorization).toBe(
      `Bearer ${TOKEN}`,
    );
  });

  it('acts only on POSTs that carry the session’s CSRF token', async () => {
    const session = /dashboard_session=[^;]+/.exec(String((await signIn()).headers['set-cookie']))![0];
    const page = await app.inject({ method: 'GET', url: '/licenses/lic_1', headers: { cookie: session } });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const suspend = (fields: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/licenses/lic_1/suspend',
        headers: { cookie: session, 'content-type': FORM },
        payload: new URLSearchParams(fields).toString(),
      });
    const calls = () => fake.requests.filter((r) => r.url === '/admin/licenses/lic_1/suspend').length;

    expect((await suspend({})).statusCode).toBe(403);
    expect((await suspend({ csrf: 'x'.repeat(43) })).statusCode).toBe(403);
    expect(calls()).toBe(0);
    const done = await suspend({ csrf });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/licenses/lic_1?done=license_suspend');
    expect(calls()).toBe(1);
  });

  it('shows Stripe events by type and every consumer’s lag on the overview', async () => {
    const session = /dashboard_session=[^;]+/.exec(String((await signIn()).headers['set-cookie']))![0];
    const page = await app.inject({ method: 'GET', url: '/', headers: { cookie: session } });
    expect(page.statusCode).toBe(200);
    const text = page.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    // Orders and licensing read the same stream: its counts are shown once.
    expect(text.match(/checkout\.session\.completed 50/g)).toHaveLength(1);
    expect(text).toContain('invoice.paid 2');
    // One consumer per service answering (the fake answers for all three), one missing each.
    expect(text.match(/orders-stripe STRIPE_EVENTS behind 12 3 1 #40/g)).toHaveLength(3);
    expect(text).toMatch(/orders-gone – missing/);
  });

  it('searches Stripe events by email across orders and licensing, merged by event id', async () => {
    const session = /dashboard_session=[^;]+/.exec(String((await signIn()).headers['set-cookie']))![0];
    const page = await app.inject({
      method: 'GET',
      url: '/stripe-events?q=&type=&customer=&email=ADA%40example.com',
      headers: { cookie: session },
    });
    expect(page.statusCode).toBe(200);
    expect(fake.requests.map((r) => r.url)).toContain(
      '/admin/stripe-events?email=ada%40example.com&limit=50',
    );
    const rows = page.body.match(/<tr>[\s\S]*?<\/tr>/g)!.filter((r) => r.includes('evt_ada_checkout'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('href="/stripe-events?q=evt_ada_checkout"');
    expect(rows[0]).toMatch(/orders\s*<code>orders-stripe<\/code>/);
    expect(rows[0]).toMatch(/licensing\s*<code>orders-stripe<\/code>/);

    const before = fake.requests.length;
    const bad = await app.inject({
      method: 'GET',
      url: '/stripe-events?email=not-an-email',
      headers: { cookie: session },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Not a valid email');
    expect(fake.requests.slice(before).some((r) => r.url.startsWith('/admin/stripe-events'))).toBe(false);
  });

  it('keeps a page readable when one service does not answer', async () => {
    const down = await build({
      ORDERS_URL: fake.url,
      LICENSING_URL: 'http://127.0.0.1:1',
      NOTIFICATIONS_URL: fake.url,
    });
    try {
      const form = await down.inject({ method: 'GET', url: '/login' });
      const nonce = /dashboard_login=([^;]+)/.exec(String(form.headers['set-cookie']))![1]!;
      const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
      const signedIn = await down.inject({
        method: 'POST',
        url: '/login',
        headers: { cookie: `dashboard_login=${nonce}`, 'content-type': FORM },
        payload: new URLSearchParams({ csrf, token: TOKEN }).toString(),
      });
      const session = /dashboard_session=[^;]+/.exec(String(signedIn.headers['set-cookie']))![0];
      const page = await down.inject({
        method: 'GET',
        url: '/customers/ada@example.com',
        headers: { cookie: session },
      });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Licenses unavailable (licensing: no answer)');
      expect(page.body).toContain('Customer since');
      const license = await down.inject({
        method: 'GET',
        url: '/licenses/lic_1',
        headers: { cookie: session },
      });
      expect(license.statusCode).toBe(504);
      expect(license.body).toContain('The licensing service did not answer');
    } finally {
      await down.close();
    }
  });
});
