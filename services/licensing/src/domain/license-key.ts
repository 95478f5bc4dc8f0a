import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/**
 * License keys: `LIC1.<payload>.<signature>`, where
 *   payload   = base64url(UTF-8 JSON of {@link LicenseClaims})
 *   signature = base64url(Ed25519 signature of the ASCII bytes `LIC1.<payload>`)
 * An app checks a key offline with the public key alone; status (revocation, suspension, renewed
 * expiry, tier changes) stays with the service. See services/licensing/README.md.
 */
export const KEY_PREFIX = 'LIC1';

/** What a key says about itself, as issued. */
export interface LicenseClaims {
  /** License id (`lic_...`). */
  lid: string;
  /** Product SKU. */
  sku: string;
  /** Tier at issue time, or null. */
  tier: string | null;
  /** Issued at, Unix seconds. */
  iat: number;
  /** Fixed expiry, Unix seconds; only for one-time licenses with a configured duration. */
  exp?: number;
}

export interface LicenseSigner {
  sign(claims: LicenseClaims): string;
  /** The claims of a key this signer's key pair signed, or null for anything else. */
  verify(key: string): LicenseClaims | null;
  readonly publicKey: KeyObject;
  /** Key id: base64url of the first 16 bytes of SHA-256 over the raw public key. */
  readonly keyId: string;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function createLicenseSigner(privateKey: KeyObject): LicenseSigner {
  const publicKey = createPublicKey(privateKey);
  const raw = rawPublicKey(publicKey);
  const keyId = b64url(createHash('sha256').update(raw).digest().subarray(0, 16));
  return {
    publicKey,
    keyId,
    sign(claims) {
      const body = `${KEY_PREFIX}.${b64url(JSON.stringify(claims))}`;
      return `${body}.${b64url(sign(null, Buffer.from(body, 'ascii'), privateKey))}`;
    },
    verify(key) {
      return verifyLicenseKey(key, publicKey);
    },
  };
}

/** Verifies a key against a public key; null for a malformed, tampered or foreign key. */
export function verifyLicenseKey(key: string, publicKey: KeyObject): LicenseClaims | null {
  if (typeof key !== 'string' || key.length > 2048) return null;
  const parts = key.split('.');
  if (parts.length !== 3 || parts[0] !== KEY_PREFIX) return null;
  const [, payload, signature] = parts as [string, string, string];
  if (!BASE64URL.test(payload) || !BASE64URL.test(signature)) return null;
  const signatureBytes = Buffer.from(signature, 'base64url');
  if (signatureBytes.length !== 64) return null;
  if (!verify(null, Buffer.from(`${KEY_PREFIX}.${payload}`, 'ascii'), publicKey, signatureBytes)) return null;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  return isClaims(claims) ? claims : null;
}

function isClaims(value: unknown): value is LicenseClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c.lid === 'string' &&
    typeof c.sku === 'string' &&
    (c.tier === null || typeof c.tier === 'string') &&
    Number.isInteger(c.iat) &&
    (c.exp === undefined || Number.isInteger(c.exp))
  );
}

/** The 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new Error('license signing key must be Ed25519');
  }
  return Buffer.from(jwk.x, 'base64url');
}

/** A key pair for local runs only; licenses signed with it die with the process. */
export function ephemeralSigningKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

/** Replaces license keys in a request path, so a mistyped URL with a key logs no key. */
export function redactKeysInUrl(url: string): string {
  return url.replace(new RegExp(`${KEY_PREFIX}\\.[^/?#]+`, 'g'), '[license-key]');
}
