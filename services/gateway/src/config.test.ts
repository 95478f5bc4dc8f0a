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
    });
  });

  it('fails naming the variable', () => {
    expect(() => loadConfig({})).toThrow(/^STRIPE_WEBHOOK_SECRET: is required/);
    expect(() => loadConfig({ STRIPE_WEBHOOK_SECRET: 'sk_live_oops' })).toThrow(
      /STRIPE_WEBHOOK_SECRET: .*whsec_/,
    );
    expect(() => loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_x', GATEWAY_PORT: 'http' })).toThrow(
      /^GATEWAY_PORT/,
    );
    expect(() =>
      loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_x', STRIPE_WEBHOOK_TOLERANCE_SECONDS: '0' }),
    ).toThrow(/^STRIPE_WEBHOOK_TOLERANCE_SECONDS/);
  });
});
