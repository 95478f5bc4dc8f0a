import { loadConfig } from './config';

const TOKEN = 'admin-token-0123456789';

describe('dashboard config', () => {
  it('reads defaults: port 3005, the services on loopback, a session key derived from the token', () => {
    const config = loadConfig({ ADMIN_API_TOKEN: TOKEN });
    expect(config).toMatchObject({
      port: 3005,
      host: '0.0.0.0',
      upstreams: {
        orders: 'http://127.0.0.1:3002',
        licensing: 'http://127.0.0.1:3003',
        notifications: 'http://127.0.0.1:3004',
        gateway: 'http://127.0.0.1:3001',
      },
      sessionTtlMs: 8 * 3600_000,
      secureCookie: false,
    });
    expect(config.sessionKey.equals(loadConfig({ ADMIN_API_TOKEN: TOKEN }).sessionKey)).toBe(true);
    // Rotating the token signs everyone out; an explicit secret wins over the token.
    expect(config.sessionKey.equals(loadConfig({ ADMIN_API_TOKEN: `${TOKEN}x` }).sessionKey)).toBe(false);
    const explicit = loadConfig({ ADMIN_API_TOKEN: TOKEN, DASHBOARD_SESSION_SECRET: 's'.repeat(32) });
    expect(explicit.sessionKey.equals(config.sessionKey)).toBe(false);
  });

  it('takes the services’ URLs without a trailing slash, and Secure cookies in production', () => {
    const config = loadConfig({
      ADMIN_API_TOKEN: TOKEN,
      ORDERS_URL: 'https://orders.internal/',
      GATEWAY_URL: 'http://gateway:3001//',
      NODE_ENV: 'production',
    });
    expect(config.upstreams.orders).toBe('https://orders.internal');
    expect(config.upstreams.gateway).toBe('http://gateway:3001');
    expect(config.secureCookie).toBe(true);
    expect(
      loadConfig({ ADMIN_API_TOKEN: TOKEN, DASHBOARD_SECURE_COOKIE: 'false', NODE_ENV: 'production' })
        .secureCookie,
    ).toBe(false);
  });

  it('fails naming the variable', () => {
    expect(() => loadConfig({})).toThrow(/^ADMIN_API_TOKEN: is required/);
    expect(() => loadConfig({ ADMIN_API_TOKEN: 'short' })).toThrow(/^ADMIN_API_TOKEN: must be at least 16/);
    expect(() => loadConfig({ ADMIN_API_TOKEN: TOKEN, LICENSING_URL: 'ftp://x' })).toThrow(/^LICENSING_URL/);
    expect(() => loadConfig({ ADMIN_API_TOKEN: TOKEN, GATEWAY_URL: 'not a url' })).toThrow(/^GATEWAY_URL/);
    expect(() => loadConfig({ ADMIN_API_TOKEN: TOKEN, DASHBOARD_SESSION_SECRET: 'short' })).toThrow(
      /^DASHBOARD_SESSION_SECRET/,
    );
    expect(() => loadConfig({ ADMIN_API_TOKEN: TOKEN, DASHBOARD_SECURE_COOKIE: 'maybe' })).toThrow(
      /^DASHBOARD_SECURE_COOKIE/,
    );
  });
});
