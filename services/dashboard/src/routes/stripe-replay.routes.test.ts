import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type HttpApp } from '@billing/runtime';
import { buildDashboardApp } from '../app';
import { loadConfig } from '../config';

const TOKEN = 'admin-token-0123456789';
const FORM = 'application/x-www-form-urlencoded';

type Answer = { status: number; body: unknown };

/** One service's API as an HTTP server: answers by `METHOD path`, records every request and body. */
async function startFake(answers: Record<string, Answer>) {
  const requests: Array<{ method: string; url: string; body: unknown; authorization?: string }> = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      requests.push({
        method: req.method!,
        url: req.url!,
        body: text ? JSON.parse(text) : undefined,
        authorization: req.headers.authorization,
      });
      const answer = answers[`${req.method} ${req.url!.split('?')[0]}`] ?? {
        status: 404,
        body: { error: { code: 'not_found', message: 'no such thing' } },
      };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const HANDLED = {
  items: [
    {
      consumer: 'orders-stripe',
      messageId: 'evt_ada',
      subject: 'stripe.event.checkout.session.completed',
      stripeEventId: 'evt_ada',
      outcome: 'done',
      reason: null,
      deliveryCount: 1,
      firstAt: '2026-03-05T10:00:01.000Z',
      lastAt: '2026-03-05T10:00:01.000Z',
    },
  ],
};

const item = (consumer: string, outcome: string) => ({
  eventId: 'evt_ada',
  type: 'checkout.session.completed',
  consumer,
  outcome,
  reason: null,
});

describe('Stripe event replay and missed events in the dashboard', () => {
  const gatewayAnswers: Record<string, Answer> = {
    'POST /admin/reconcile': {
      status: 200,
      body: { since: '2026-03-05T10:15:00.000Z', until: 'x', found: 3, alreadyPresent: 2, stored: 1 },
    },
  };
  let orders: Awaited<ReturnType<typeof startFake>>;
  let licensing: Awaited<ReturnType<typeof startFake>>;
  let gateway: Awaited<ReturnType<typeof startFake>>;
  let app: HttpApp;
  let session: string;
  let csrf: string;

  const text = (body: string) => body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie: session } });
  const post = (url: string, fields: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url,
      headers: { cookie: session, 'content-type': FORM },
      payload: new URLSearchParams({ csrf, ...fields }).toString(),
    });

  beforeAll(async () => {
    orders = await startFake({
      'GET /admin/stripe-events/evt_ada': { status: 200, body: HANDLED },
      'POST /admin/stripe-events/replay': {
        status: 200,
        body: { replayed: 1, items: [item('orders-stripe', 'skipped')] },
      },
    });
    licensing = await startFake({
      'GET /admin/stripe-events/evt_ada': { status: 200, body: { items: [] } },
      'POST /admin/stripe-events/replay': {
        status: 400,
        body: { error: { code: 'unknown_consumer', message: 'no such consumer' } },
      },
    });
    gateway = await startFake(gatewayAnswers);
    app = await buildDashboardApp({
      config: loadConfig({
        ADMIN_API_TOKEN: TOKEN,
        ORDERS_URL: orders.url,
        LICENSING_URL: licensing.url,
        NOTIFICATIONS_URL: 'http://127.0.0.1:1',
        GATEWAY_URL: gateway.url,
      }),
      logger: createLogger({ service: 'dashboard-test', version: 'test', level: 'silent' }),
    });
    const form = await app.inject({ method: 'GET', url: '/login' });
    const nonce = /dashboard_login=([^;]+)/.exec(String(form.headers['set-cookie']))![1]!;
    const signedIn = await app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: `dashboard_login=${nonce}`, 'content-type': FORM },
      payload: new URLSearchParams({
        csrf: /name="csrf" value="([^"]+)"/.exec(form.body)![1]!,
        token: TOKEN,
      }).toString(),
    });
    session = /dashboard_session=[^;]+/.exec(String(signedIn.headers['set-cookie']))![0];
    csrf = /name="csrf" value="([^"]+)"/.exec((await get('/stripe-events')).body)![1]!;
  });

  afterAll(async () => {
    await app.close();
    await Promise.all([orders.close(), licensing.close(), gateway.close()]);
  });

  it('replays one event on every Stripe-consuming service and shows each answer after the redirect', async () => {
    const detail = await get('/stripe-events?q=evt_ada');
    expect(detail.body).toContain('Replay through the consumers');
    expect(detail.body).toContain('name="eventId" value="evt_ada"');

    const done = await post('/stripe-events/replay', { eventId: 'evt_ada' });
    expect(done.statusCode).toBe(303);
    for (const fake of [orders, licensing]) {
      const call = fake.requests.find((r) => r.url === '/admin/stripe-events/replay')!;
      expect(call.body).toEqual({ eventIds: ['evt_ada'] });
      expect(call.authorization).toBe(`Bearer ${TOKEN}`);
    }
    const location = String(done.headers.location);
    expect(location).toMatch(/^\/stripe-events\?q=evt_ada&replay=/);
    const shown = text((await get(location)).body);
    expect(shown).toContain('orders: 1 event run again');
    expect(shown).toContain('licensing: not done ( unknown_consumer )');
    expect(shown).toMatch(/orders orders-stripe skipped 1/);
  });

  it('refuses an id the services would not take, without calling them', async () => {
    const before = orders.requests.length;
    const refused = await post('/stripe-events/replay', { eventId: 'not-an-event' });
    expect(refused.headers.location).toBe(
      '/stripe-events?q=not-an-event&failed=invalid_event_id&by=dashboard',
    );
    expect(orders.requests.length).toBe(before);
    const forged = await app.inject({
      method: 'POST',
      url: '/stripe-events/replay',
      headers: { cookie: session, 'content-type': FORM },
      payload: 'eventId=evt_ada',
    });
    expect(forged.statusCode).toBe(403);
  });

  it('replays every event of the searched type in a time range', async () => {
    const list = await get('/stripe-events?type=checkout.session.completed');
    expect(list.body).toContain('Replay matching events');
    const done = await post('/stripe-events/replay-matching', {
      type: 'checkout.session.completed',
      email: 'ada@example.com',
      since: '2026-03-05T10:15',
      until: '2026-03-06T00:00',
      limit: '20',
    });
    expect(orders.requests.at(-1)!.body).toEqual({
      types: ['checkout.session.completed'],
      since: '2026-03-05T10:15:00.000Z',
      until: '2026-03-06T00:00:00.000Z',
      limit: 20,
    });
    expect(String(done.headers.location)).toMatch(
      /^\/stripe-events\?type=checkout\.session\.completed&email=ada%40example\.com&replay=orders%3D1/,
    );
    const bad = await post('/stripe-events/replay-matching', {
      type: 'checkout.session.completed',
      since: '2026-03-06T00:00',
      until: '2026-03-05T00:00',
      limit: '20',
    });
    expect(bad.headers.location).toContain('failed=invalid_range&by=dashboard');
  });

  it('asks the gateway for missed events and shows its counts, or why it could not', async () => {
    const landing = await get('/stripe-events');
    expect(landing.body).toContain(
      '<label for="reconcile-since">Look for missed Stripe events since (UTC)</label>',
    );
    const done = await post('/stripe-events/reconcile', { since: '2026-03-05T10:15', until: '' });
    expect(gateway.requests.at(-1)).toMatchObject({
      method: 'POST',
      url: '/admin/reconcile?since=2026-03-05T10%3A15%3A00.000Z',
      authorization: `Bearer ${TOKEN}`,
    });
    const shown = text((await get(String(done.headers.location))).body);
    expect(shown).toContain('Looked for missed Stripe events: found 3, already present 2, stored 1');

    const invalid = await post('/stripe-events/reconcile', { since: 'yesterday' });
    expect(invalid.headers.location).toBe('/stripe-events?failed=invalid_time&by=dashboard');
    expect(gateway.requests).toHaveLength(1);

    // A gateway without STRIPE_SECRET_KEY says so; the operator sees its code, not an error page.
    gatewayAnswers['POST /admin/reconcile'] = {
      status: 503,
      body: { error: { code: 'reconciliation_off', message: 'set STRIPE_SECRET_KEY' } },
    };
    const off = await post('/stripe-events/reconcile', { since: '2026-03-05T10:15' });
    expect(off.headers.location).toBe('/stripe-events?failed=reconciliation_off&by=gateway');
    expect(text((await get(String(off.headers.location))).body)).toContain(
      'Not done: gateway answered reconciliation_off',
    );
  });
});
