import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LICENSING_STRIPE_EVENT_TYPES, ORDERS_STRIPE_EVENT_TYPES } from '@billing/contracts';
import { startFakeStripe, type FakeStripe } from '@billing/testkit';
import Stripe from 'stripe';
import { runRegister } from './command';

const URL = 'https://billing.example.com/webhooks/stripe';
const CONSUMED = [...new Set([...ORDERS_STRIPE_EVENT_TYPES, ...LICENSING_STRIPE_EVENT_TYPES])].sort();
const PROJECT = (
  JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { name: string }
).name;

let fake: FakeStripe;
beforeEach(async () => {
  fake = await startFakeStripe();
});
afterEach(() => fake.close());

async function run(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRegister(
    args,
    { STRIPE_SECRET_KEY: 'sk_test_register', STRIPE_API_URL: fake.url, STRIPE_API_MAX_RETRIES: '0', ...env },
    { out: (line) => out.push(line), err: (line) => err.push(line) },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const writes = () => fake.requests.filter((r) => r.method === 'POST');
const secretLine = /^STRIPE_WEBHOOK_SECRET=whsec_\S+$/m;

describe('npm run stripe:register', () => {
  it('creates one endpoint with the consumed event types and the pinned API version, and prints its secret', async () => {
    const result = await run(['--url', URL]);

    expect(result).toMatchObject({ code: 0, err: '' });
    const endpoints = fake.webhookEndpoints();
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({
      url: URL,
      api_version: Stripe.API_VERSION,
      status: 'enabled',
      metadata: { managed_by: PROJECT },
    });
    expect([...(endpoints[0]!.enabled_events as string[])].sort()).toEqual(CONSUMED);
    expect(result.out).toMatch(secretLine);
    expect(result.out).toContain('comma-separated');
  });

  it('updates the same endpoint on a second run: event types restored, re-enabled, secret unchanged', async () => {
    await run(['--url', URL]);
    const [created] = fake.webhookEndpoints();
    fake.put({ ...created!, enabled_events: ['invoice.paid', 'invoice.created'], status: 'disabled' });

    const result = await run(['--url', URL, '--description', 'billing gateway']);

    expect(result.code).toBe(0);
    const endpoints = fake.webhookEndpoints();
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({
      id: created!.id,
      status: 'enabled',
      description: 'billing gateway',
    });
    expect([...(endpoints[0]!.enabled_events as string[])].sort()).toEqual(CONSUMED);
    expect(result.out).toContain('disable invoice.created');
    expect(result.out).toMatch(/secret is unchanged/);
    expect(result.out).not.toMatch(secretLine);

    const before = writes().length;
    const again = await run(['--url', URL]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('is up to date');
    expect(writes()).toHaveLength(before);
  });

  it('finds its endpoint among many (auto-pagination) and leaves the others alone', async () => {
    const endpoint = (id: string, url: string, enabled_events: string[]) => ({
      id,
      object: 'webhook_endpoint',
      url,
      api_version: Stripe.API_VERSION,
      created: 1_700_000_000,
      enabled_events,
      metadata: {},
      status: 'enabled',
      description: null,
    });
    // Stripe lists newest first: stored first, ours comes after the first page of 100.
    fake.put(endpoint('we_ours', URL, ['invoice.paid']));
    for (let i = 0; i < 120; i += 1) {
      fake.put(endpoint(`we_other${i}`, `https://elsewhere.example.com/hook/${i}`, ['*']));
    }

    const result = await run(['--url', URL]);

    expect(result.code).toBe(0);
    expect(fake.webhookEndpoints()).toHaveLength(121);
    const ours = fake.webhookEndpoints().find((e) => e.id === 'we_ours')!;
    expect([...(ours.enabled_events as string[])].sort()).toEqual(CONSUMED);
    expect(fake.webhookEndpoints().find((e) => e.id === 'we_other0')!.enabled_events).toEqual(['*']);
  });

  it('explains an endpoint on another API version, and with --recreate creates a new one beside it', async () => {
    fake.put({
      id: 'we_old',
      object: 'webhook_endpoint',
      url: URL,
      api_version: '2025-02-24.acacia',
      created: 1_700_000_000,
      enabled_events: ['invoice.paid'],
      metadata: {},
      status: 'enabled',
      description: null,
    });

    const plain = await run(['--url', URL]);
    expect(plain.code).toBe(0);
    expect(plain.err).toContain('2025-02-24.acacia');
    expect(plain.err).toContain('--recreate');
    expect(fake.webhookEndpoints()).toHaveLength(1);

    const recreated = await run(['--url', URL, '--recreate']);
    expect(recreated.code).toBe(0);
    const endpoints = fake.webhookEndpoints();
    expect(endpoints).toHaveLength(2);
    const fresh = endpoints.find((e) => e.id !== 'we_old')!;
    expect(fresh.api_version).toBe(Stripe.API_VERSION);
    expect([...(fresh.enabled_events as string[])].sort()).toEqual(CONSUMED);
    expect(recreated.out).toMatch(secretLine);
    expect(recreated.out).toContain('then delete we_old');
    expect(endpoints.find((e) => e.id === 'we_old')).toMatchObject({ api_version: '2025-02-24.acacia' });

    // The next run keeps the endpoint on the pinned version and points at the old one.
    const next = await run(['--url', URL]);
    expect(next.code).toBe(0);
    expect(next.out).toContain(`${fresh.id} for ${URL} is up to date`);
    expect(next.err).toContain('Also found webhook endpoint we_old');
    expect(fake.webhookEndpoints()).toHaveLength(2);
  });

  it('changes nothing on --dry-run', async () => {
    const result = await run(['--url', URL, '--dry-run']);

    expect(result.code).toBe(0);
    expect(result.out).toContain(`Would create a webhook endpoint for ${URL}`);
    expect(fake.webhookEndpoints()).toHaveLength(0);
    expect(writes()).toHaveLength(0);
  });

  it.each([
    [['--url', 'http://billing.example.com/webhooks/stripe'], /--url must use https.*--allow-http/],
    [['--url', 'billing.example.com/webhooks/stripe'], /--url must be an absolute URL/],
    [[], /--url is required/],
    [['--url', URL, '--bogus'], /Unknown option '--bogus'/],
    [['--url', URL, '--api-key', 'pk_test_x'], /secret \(sk_\.\.\.\) or restricted/],
  ])('exits 2 with a clear message on bad usage %j', async (args, message) => {
    const result = await run(args);

    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err).toContain('--help');
    expect(fake.requests).toHaveLength(0);
  });

  it('exits 2 naming STRIPE_SECRET_KEY when no API key is given', async () => {
    const result = await run(['--url', URL], { STRIPE_SECRET_KEY: '' });

    expect(result.code).toBe(2);
    expect(result.err).toMatch(/STRIPE_SECRET_KEY: is required \(or pass --api-key\)/);
  });

  it('accepts an http URL with --allow-http', async () => {
    const result = await run(['--url', 'http://localhost:3001/webhooks/stripe', '--allow-http']);

    expect(result.code).toBe(0);
    expect(fake.webhookEndpoints()[0]).toMatchObject({ url: 'http://localhost:3001/webhooks/stripe' });
  });

  it('exits 1 with the message and code of an error from Stripe', async () => {
    fake.failNext(1, 401);

    const result = await run(['--url', URL]);

    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^Stripe error: fake outage \(HTTP 401\)$/m);
    expect(fake.webhookEndpoints()).toHaveLength(0);
  });

  it('prints the help and exits 0', async () => {
    const result = await run(['--help']);

    expect(result.code).toBe(0);
    expect(result.out).toContain('Usage: npm run stripe:register');
    expect(fake.requests).toHaveLength(0);
  });
});
