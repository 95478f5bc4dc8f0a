import { loadConfig } from './config';

describe('gateway config', () => {
  it('reads defaults and a rolled pair of secrets', () => {
    const config = loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_old, whsec_new' });
    expect(config).toMatchObject({
      port: 3001,
      natsUrl: 'nats://127.0.0.1:4222',
      webhookSecrets: ['whsec_old', 'whsec_new'],
      toleranceSeconds: 300,
      maxBodyBytes: 1024 * 1024,
      thinWebhookSecrets: [],
    });
    expect(config.stripeApi).toBeUndefined();
  });

  it('reads the thin event secrets and, only with STRIPE_SECRET_KEY, the Stripe API', () => {
    const config = loadConfig({
      STRIPE_WEBHOOK_SECRET: 'whsec_snapshot',
      STRIPE_THIN_WEBHOOK_SECRET: 'whsec_thin_old,whsec_thin_new',
      STRIPE_SECRET_KEY: 'sk_test_123',
      STRIPE_API_URL: 'http://127.0.0.1:12111',
    });
    expect(config.thinWebhookSecrets).toEqual(['whsec_thin_old', 'whsec_thin_new']);
    expect(config.stripeApi).toEqual({
      secretKey: 'sk_test_123',
      apiUrl: 'http://127.0.0.1:12111',
      timeoutMs: 20_000,
      maxNetworkRetries: 2,
    });
    expect(
      loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_x', STRIPE_API_URL: 'http://127.0.0.1:1' }).stripeApi,
    ).toBeUndefined();
  });

  it('fails naming the variable', () => {
    expect(() => loadConfig({})).toThrow(/^STRIPE_WEBHOOK_SECRET: is required/);
    expect(() => loadConfig({ STRIPE_WEBHOOK_SECRET: 'sk_live_oops' })).toThrow(
      /STRIPE_WEBHOOK_SECRET: .*whsec_/,
    );
    expect(() =>
      loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_x', STRIPE_THIN_WEBHOOK_SECRET: 'whsec_y,sk_oops' }),
    ).toThrow(/^STRIPE_THIN_WEBHOOK_SECRET: .*whsec_/);
    expect(() =>
      loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_x', STRIPE_SECRET_KEY: 'sk_x', STRIPE_API_URL: 'ftp://x' }),
    ).toThrow(/^STRIPE_API_URL/);
    expect(() => loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_x', GATEWAY_PORT: 'http' })).toThrow(
      /^GATEWAY_PORT/,
    );
    expect(() =>
      loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_x', STRIPE_WEBHOOK_TOLERANCE_SECONDS: '0' }),
    ).toThrow(/^STRIPE_WEBHOOK_TOLERANCE_SECONDS/);
  });

  it('reads the accounts of STRIPE_ACCOUNTS after the default one, with the shared API settings', () => {
    const config = loadConfig({
      STRIPE_WEBHOOK_SECRET: 'whsec_default',
      STRIPE_API_URL: 'http://127.0.0.1:12111',
      STRIPE_ACCOUNTS: JSON.stringify({ eu: { secretKey: 'sk_test_eu', webhookSecrets: ['whsec_eu'] } }),
    });
    expect(config.accounts).toEqual([
      { label: 'default', webhookSecrets: ['whsec_default'], thinWebhookSecrets: [], stripeApi: undefined },
      {
        label: 'eu',
        webhookSecrets: ['whsec_eu'],
        thinWebhookSecrets: [],
        stripeApi: {
          secretKey: 'sk_test_eu',
          apiUrl: 'http://127.0.0.1:12111',
          timeoutMs: 20_000,
          maxNetworkRetries: 2,
        },
      },
    ]);
  });
});
