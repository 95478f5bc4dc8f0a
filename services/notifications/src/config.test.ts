import { DEFAULT_WEBHOOK_SCHEDULE_MS, addressOf, loadConfig } from './config';

const TOKEN = { ADMIN_API_TOKEN: 'a'.repeat(32) };

describe('notifications config', () => {
  it('reads the defaults: port 3004, 15 s timeout, the standard retry schedule, private destinations refused', () => {
    const config = loadConfig(TOKEN);
    expect(config.port).toBe(3004);
    expect(config.mongo.dbName).toBe('notifications');
    expect(config.webhooks).toEqual({
      timeoutMs: 15_000,
      retryScheduleMs: DEFAULT_WEBHOOK_SCHEDULE_MS,
      disableAfterMs: 5 * 24 * 3600 * 1000,
      secretGraceMs: 24 * 3600 * 1000,
      pollIntervalMs: 1000,
      endpointRefreshMs: 30_000,
      concurrency: 16,
      allowPrivate: false,
    });
    expect(DEFAULT_WEBHOOK_SCHEDULE_MS).toEqual([
      0, 5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(config.email).toMatchObject({
      smtpUrl: 'smtp://127.0.0.1:1025',
      from: 'Billing <billing@example.com>',
      supportEmail: 'billing@example.com',
      accountUrl: null,
      templateOverrideDir: null,
    });
  });

  it('reads every variable, parsing OUTBOUND_ALLOW_PRIVATE as a real boolean', () => {
    const config = loadConfig({
      ...TOKEN,
      NOTIFICATIONS_PORT: '4004',
      SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      EMAIL_FROM: 'Acme <billing@acme.example>',
      SUPPORT_EMAIL: 'help@acme.example',
      BRAND_NAME: 'Acme',
      ACCOUNT_URL: 'https://acme.example/account',
      NOTIFICATIONS_TEMPLATE_DIR: '/srv/templates',
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_RETRY_SCHEDULE_MS: '0,10,20',
      WEBHOOK_DISABLE_AFTER_MS: '0',
      OUTBOUND_ALLOW_PRIVATE: 'true',
    });
    expect(config.port).toBe(4004);
    expect(config.email).toMatchObject({
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      supportEmail: 'help@acme.example',
      brandName: 'Acme',
      accountUrl: 'https://acme.example/account',
      templateOverrideDir: '/srv/templates',
    });
    expect(config.webhooks).toMatchObject({
      timeoutMs: 2000,
      retryScheduleMs: [0, 10, 20],
      disableAfterMs: 0,
      allowPrivate: true,
    });
    expect(loadConfig({ ...TOKEN, OUTBOUND_ALLOW_PRIVATE: 'false' }).webhooks.allowPrivate).toBe(false);
  });

  it('fails naming the variable', () => {
    expect(() => loadConfig({})).toThrow(/^ADMIN_API_TOKEN/);
    expect(() => loadConfig({ ...TOKEN, SMTP_URL: 'http://mail' })).toThrow(
      /^SMTP_URL: must use smtp: or smtps:/,
    );
    expect(() => loadConfig({ ...TOKEN, OUTBOUND_ALLOW_PRIVATE: 'sure' })).toThrow(/^OUTBOUND_ALLOW_PRIVATE/);
    expect(() => loadConfig({ ...TOKEN, WEBHOOK_RETRY_SCHEDULE_MS: '0,5s' })).toThrow(
      /^WEBHOOK_RETRY_SCHEDULE_MS/,
    );
    expect(() => loadConfig({ ...TOKEN, WEBHOOK_TIMEOUT_MS: '10' })).toThrow(/^WEBHOOK_TIMEOUT_MS/);
    expect(() => loadConfig({ ...TOKEN, EMAIL_FROM: 'nobody' })).toThrow(/^EMAIL_FROM/);
    expect(() => loadConfig({ ...TOKEN, ACCOUNT_URL: 'javascript:alert(1)' })).toThrow(/^ACCOUNT_URL/);
  });

  it('extracts the address of a mailbox', () => {
    expect(addressOf('Acme Billing <billing@acme.example>')).toBe('billing@acme.example');
    expect(addressOf('billing@acme.example')).toBe('billing@acme.example');
  });
});
