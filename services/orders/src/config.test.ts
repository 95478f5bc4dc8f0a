import path from 'node:path';
import { DEFAULT_CATALOG_SEED, loadConfig } from './config';

const base = { ADMIN_API_TOKEN: 'a'.repeat(32), STRIPE_SECRET_KEY: 'sk_test_123' };

describe('orders config', () => {
  it('has defaults for everything but the secrets', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      port: 3002,
      mongo: { url: 'mongodb://127.0.0.1:27017', dbName: 'orders' },
      stripe: { secretKey: 'sk_test_123', apiUrl: 'https://api.stripe.com', maxNetworkRetries: 2 },
      catalogSeedPath: DEFAULT_CATALOG_SEED,
      catalogSeedRequired: false,
      restockOnRefund: false,
    });
    expect(path.basename(DEFAULT_CATALOG_SEED)).toBe('catalog.seed.json');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the orders variables', () => {
    const config = loadConfig({
      ...base,
      ORDERS_PORT: '4002',
      ORDERS_CATALOG_SEED: '/etc/orders/catalog.json',
      ORDERS_RESTOCK_ON_REFUND: 'true',
      CONSUMER_RETRY_BASE_MS: '100',
      STRIPE_API_URL: 'http://127.0.0.1:12111',
    });
    expect(config).toMatchObject({
      port: 4002,
      catalogSeedPath: '/etc/orders/catalog.json',
      catalogSeedRequired: true,
      restockOnRefund: true,
      retry: { baseMs: 100, maxDelayMs: 3_600_000, retryForMs: 259_200_000 },
      stripe: { apiUrl: 'http://127.0.0.1:12111' },
    });
  });

  it('turns seeding off with ORDERS_CATALOG_SEED=none', () => {
    expect(loadConfig({ ...base, ORDERS_CATALOG_SEED: 'none' })).toMatchObject({
      catalogSeedPath: null,
      catalogSeedRequired: false,
    });
  });

  it.each([
    [{ STRIPE_SECRET_KEY: undefined }, /STRIPE_SECRET_KEY: is required/],
    [{ ADMIN_API_TOKEN: undefined }, /ADMIN_API_TOKEN: is required/],
    [{ ORDERS_RESTOCK_ON_REFUND: 'sometimes' }, /ORDERS_RESTOCK_ON_REFUND: must be true or false/],
    [{ CONSUMER_RETRY_FOR_MS: '3d' }, /CONSUMER_RETRY_FOR_MS/],
    [{ STRIPE_API_URL: 'ftp://stripe' }, /STRIPE_API_URL: must use http: or https:/],
  ])('fails naming the variable: %j', (override, message) => {
    expect(() => loadConfig({ ...base, ...override })).toThrow(message);
  });

  it('does not take "false" for true', () => {
    expect(loadConfig({ ...base, ORDERS_RESTOCK_ON_REFUND: 'false' }).restockOnRefund).toBe(false);
  });
});
