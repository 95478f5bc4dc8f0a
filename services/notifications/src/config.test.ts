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

  it('requires STARTTLS (SMTP_REQUIRE_TLS) by default except for a loopback SMTP host', () => {
    const requireTls = (env: Record<string, string>) => loadConfig({ ...TOKEN, ...env }).email.smtpRequireTls;
    expect(requireTls({})).toBe(false); // smtp://127.0.0.1:1025
    expect(requireTls({ SMTP_URL: 'smtp://localhost:25' })).toBe(false);
    expect(requireTls({ SMTP_URL: 'smtp://u:p@[::1]:25' })).toBe(false);
    expect(requireTls({ SMTP_URL: 'smtp://127.0.0.53' })).toBe(false);
    expect(requireTls({ SMTP_URL: 'smtp://u:p@mail.example.com:587' })).toBe(true);
    expect(requireTls({ SMTP_URL: 'smtp://10.1.2.3' })).toBe(true);
    expect(requireTls({ SMTP_URL: 'smtp://mail.example.com', SMTP_REQUIRE_TLS: 'false' })).toBe(false);
    expect(requireTls({ SMTP_REQUIRE_TLS: 'true' })).toBe(true);
    expect(() => requireTls({ SMTP_REQUIRE_TLS: 'maybe' })).toThrow(
      /^SMTP_REQUIRE_TLS: must be true or false/,
    );
  });

  it('reads SECRETS_ENCRYPTION_KEYS, and requires it when NODE_ENV=production', () => {
    const k1 = Buffer.alloc(32, 1).toString('base64');
    const k2 = Buffer.alloc(32, 2).toString('base64');
    expect(loadConfig(TOKEN).secrets.encryptionKeys).toEqual([]);
    expect(
      loadConfig({ ...TOKEN, SECRETS_ENCRYPTION_KEYS: `k2:${k2},k1:${k1}` }).secrets.encryptionKeys.map(
        (k) => k.id,
      ),
    ).toEqual(['k2', 'k1']);
    expect(() => loadConfig({ ...TOKEN, NODE_ENV: 'production' })).toThrow(
      /^SECRETS_ENCRYPTION_KEYS: is required when NODE_ENV=production/,
    );
    expect(() => loadConfig({ ...TOKEN, SECRETS_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' })).toThrow(
      /^SECRETS_ENCRYPTION_KEYS: key "k1" must be the base64 of 32 random bytes/,
    );
  });

  it('extracts the address of a mailbox', () => {
    expect(addressOf('Acme Billing <billing@acme.example>')).toBe('billing@acme.example');
    expect(addressOf('billing@acme.example')).toBe('billing@acme.example');
  });
});
