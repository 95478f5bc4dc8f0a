import { generateKeyPairSync } from 'node:crypto';
import { loadConfig, productPolicy } from './config';

const base = { ADMIN_API_TOKEN: 'a'.repeat(32) };
const ed25519Key = () =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');

describe('licensing config', () => {
  it('has working defaults outside production', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(3003);
    expect(config.signingPrivateKey).toBeNull();
    expect(config.tiers.names).toEqual(['FREE', 'PRO', 'PREMIUM']);
    expect(config.tiers.defaultTier).toBe('FREE');
    expect(config.revokeOnPartialRefund).toBe(false);
    expect(config.verifyRateLimit).toEqual({ max: 60, windowMs: 60_000 });
    expect(productPolicy(config, 'ANY')).toEqual({ seats: 3, durationDays: null });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('requires the signing key in production, naming the variable', () => {
    expect(() => loadConfig({ ...base, NODE_ENV: 'production' })).toThrow(
      'LICENSE_SIGNING_PRIVATE_KEY: is required when NODE_ENV=production',
    );
    const config = loadConfig({ ...base, NODE_ENV: 'production', LICENSE_SIGNING_PRIVATE_KEY: ed25519Key() });
    expect(config.signingPrivateKey?.asymmetricKeyType).toBe('ed25519');
  });

  it('refuses a signing key that is not base64 PKCS#8 Ed25519', () => {
    expect(() => loadConfig({ ...base, LICENSE_SIGNING_PRIVATE_KEY: 'bm90IGEga2V5' })).toThrow(
      /LICENSE_SIGNING_PRIVATE_KEY: must be the base64 of a PKCS#8 DER/,
    );
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'der' })
      .toString('base64');
    expect(() => loadConfig({ ...base, LICENSE_SIGNING_PRIVATE_KEY: ecKey })).toThrow(
      /must be an Ed25519 key, got ec/,
    );
  });

  it('reads tiers in rank order, with names compared case-insensitively', () => {
    const config = loadConfig({ ...base, LICENSING_TIERS: '{"basic":["a"],"Gold":["a","b"]}' });
    expect(config.tiers.names).toEqual(['BASIC', 'GOLD']);
    expect(config.tiers.defaultTier).toBe('BASIC');
    expect(config.tiers.features.GOLD).toEqual(['a', 'b']);
  });

  it.each([
    ['not JSON', '{', /LICENSING_TIERS: must be a JSON object/],
    ['an array', '["FREE"]', /LICENSING_TIERS: must be a JSON object/],
    ['no tiers', '{}', /at least one tier/],
    ['features not a list', '{"FREE":"core"}', /FREE: features must be a list/],
    ['a tier twice', '{"pro":[],"PRO":[]}', /PRO is listed twice/],
  ])('refuses LICENSING_TIERS that is %s', (_name, value, message) => {
    expect(() => loadConfig({ ...base, LICENSING_TIERS: value })).toThrow(message);
  });

  it('reads per-product seats and durations', () => {
    const config = loadConfig({
      ...base,
      LICENSING_DEFAULT_SEATS: '5',
      LICENSING_PRODUCTS: '{"EBOOK":{"durationDays":365},"PRO-1M":{"seats":2}}',
    });
    expect(productPolicy(config, 'EBOOK')).toEqual({ seats: 5, durationDays: 365 });
    expect(productPolicy(config, 'PRO-1M')).toEqual({ seats: 2, durationDays: null });
    expect(productPolicy(config, 'OTHER')).toEqual({ seats: 5, durationDays: null });
  });

  it.each([
    ['{"X":{"seats":0}}', /X.seats: must be a positive integer/],
    ['{"X":{"durationDays":1.5}}', /X.durationDays/],
    ['[1]', /keyed by SKU/],
  ])('refuses LICENSING_PRODUCTS %s', (value, message) => {
    expect(() => loadConfig({ ...base, LICENSING_PRODUCTS: value })).toThrow(message);
  });

  it('parses booleans for real and reads the rate limit', () => {
    expect(loadConfig({ ...base, LICENSING_REVOKE_ON_PARTIAL_REFUND: 'false' }).revokeOnPartialRefund).toBe(
      false,
    );
    expect(loadConfig({ ...base, LICENSING_REVOKE_ON_PARTIAL_REFUND: 'true' }).revokeOnPartialRefund).toBe(
      true,
    );
    expect(() => loadConfig({ ...base, LICENSING_REVOKE_ON_PARTIAL_REFUND: 'maybe' })).toThrow(
      /LICENSING_REVOKE_ON_PARTIAL_REFUND/,
    );
    const config = loadConfig({
      ...base,
      LICENSING_VERIFY_RATE_LIMIT: '5',
      LICENSING_VERIFY_RATE_WINDOW_MS: '1000',
    });
    expect(config.verifyRateLimit).toEqual({ max: 5, windowMs: 1000 });
  });
});
