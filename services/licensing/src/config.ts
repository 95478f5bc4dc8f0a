import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  ConfigError,
  EnvReader,
  readConsumerServiceConfig,
  type ConsumerServiceConfig,
} from '@billing/runtime';
import { parseTierCatalog, type TierCatalog } from './domain/tiers';

/** Per-product licensing policy, keyed by SKU. */
export interface ProductPolicy {
  /** Machines that may be activated on one license. */
  seats: number;
  /** Lifetime of a one-time (non-subscription) license; null = no expiry. */
  durationDays: number | null;
}

export interface LicensingConfig extends ConsumerServiceConfig {
  production: boolean;
  /** Ed25519 private key; null only outside production (an ephemeral pair is generated then). */
  signingPrivateKey: KeyObject | null;
  tiers: TierCatalog;
  defaultSeats: number;
  products: Readonly<Record<string, ProductPolicy>>;
  revokeOnPartialRefund: boolean;
  /** Requests per window per client on the public license routes. */
  verifyRateLimit: { max: number; windowMs: number };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<LicensingConfig> {
  const reader = new EnvReader(env);
  const production = reader.raw('NODE_ENV') === 'production';
  const defaultSeats = reader.int('LICENSING_DEFAULT_SEATS', 3, { min: 1, max: 10_000 });
  return Object.freeze({
    ...readConsumerServiceConfig(reader, 'licensing', 3003),
    production,
    signingPrivateKey: readSigningKey(reader, production),
    tiers: parseTierCatalog(reader.raw('LICENSING_TIERS'), 'LICENSING_TIERS'),
    defaultSeats,
    products: parseProducts(reader.raw('LICENSING_PRODUCTS'), defaultSeats),
    revokeOnPartialRefund: reader.bool('LICENSING_REVOKE_ON_PARTIAL_REFUND', false),
    verifyRateLimit: {
      max: reader.int('LICENSING_VERIFY_RATE_LIMIT', 60, { min: 1, max: 1_000_000 }),
      windowMs: reader.int('LICENSING_VERIFY_RATE_WINDOW_MS', 60_000, { min: 100, max: 86_400_000 }),
    },
  });
}

/** `LICENSE_SIGNING_PRIVATE_KEY`: base64 of a PKCS#8 DER Ed25519 private key. */
function readSigningKey(reader: EnvReader, production: boolean): KeyObject | null {
  const name = 'LICENSE_SIGNING_PRIVATE_KEY';
  const value = reader.raw(name);
  if (value === undefined) {
    if (production) throw new ConfigError(name, 'is required when NODE_ENV=production');
    return null;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new ConfigError(name, 'must be the base64 of a PKCS#8 DER private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError(name, `must be an Ed25519 key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key;
}

/**
 * `LICENSING_PRODUCTS`: JSON object by SKU, e.g. `{"EBOOK-1":{"seats":1,"durationDays":365}}`.
 * Products not listed get `LICENSING_DEFAULT_SEATS` and no expiry.
 */
export function parseProducts(raw: string | undefined, defaultSeats: number): Record<string, ProductPolicy> {
  const name = 'LICENSING_PRODUCTS';
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(name, 'must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(name, 'must be a JSON object keyed by SKU');
  }
  const out: Record<string, ProductPolicy> = {};
  for (const [sku, value] of Object.entries(parsed)) {
    if (typeof value !== 'object' || value === null) throw new ConfigError(name, `${sku}: must be an object`);
    const { seats, durationDays } = value as { seats?: unknown; durationDays?: unknown };
    if (seats !== undefined && !(Number.isInteger(seats) && (seats as number) >= 1)) {
      throw new ConfigError(name, `${sku}.seats: must be a positive integer`);
    }
    if (
      durationDays !== undefined &&
      durationDays !== null &&
      !(Number.isInteger(durationDays) && (durationDays as number) >= 1)
    ) {
      throw new ConfigError(name, `${sku}.durationDays: must be a positive integer or null`);
    }
    out[sku] = {
      seats: (seats as number | undefined) ?? defaultSeats,
      durationDays: (durationDays as number | null | undefined) ?? null,
    };
  }
  return out;
}

export function productPolicy(
  config: Pick<LicensingConfig, 'products' | 'defaultSeats'>,
  sku: string,
): ProductPolicy {
  return config.products[sku] ?? { seats: config.defaultSeats, durationDays: null };
}
