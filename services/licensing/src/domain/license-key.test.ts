import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  KEY_PREFIX,
  createLicenseSigner,
  rawPublicKey,
  verifyLicenseKey,
  type LicenseClaims,
} from './license-key';

const claims: LicenseClaims = {
  lid: 'lic_0123456789abcdef0123456789abcdef',
  sku: 'PRO-1M',
  tier: 'PRO',
  iat: 1767225600,
};

function newSigner() {
  return createLicenseSigner(generateKeyPairSync('ed25519').privateKey);
}

/** Checks a key the way an app would, with node:crypto and the PEM public key only. */
function offlineCheck(key: string, publicKeyPem: string): unknown {
  const [prefix, payload, signature] = key.split('.');
  if (prefix !== 'LIC1' || !payload || !signature) return null;
  const ok = verify(
    null,
    Buffer.from(`${prefix}.${payload}`, 'ascii'),
    createPublicKey(publicKeyPem),
    Buffer.from(signature, 'base64url'),
  );
  return ok ? JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) : null;
}

describe('license keys', () => {
  const signer = newSigner();
  const pem = signer.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  it('has the documented shape: prefix, base64url JSON claims, 64-byte signature', () => {
    const key = signer.sign(claims);
    const parts = key.split('.');
    expect(parts).toHaveLength(3);
    expect(parts[0]).toBe(KEY_PREFIX);
    expect(JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'))).toEqual(claims);
    expect(Buffer.from(parts[2]!, 'base64url')).toHaveLength(64);
    expect(key).toMatch(/^[A-Za-z0-9_.-]+$/);
  });

  it('verifies offline with the public key alone and round-trips the claims', () => {
    const key = signer.sign({ ...claims, exp: 1798761600 });
    expect(offlineCheck(key, pem)).toEqual({ ...claims, exp: 1798761600 });
    expect(signer.verify(key)).toEqual({ ...claims, exp: 1798761600 });
  });

  it('rejects a key whose claims were changed', () => {
    const [prefix, , signature] = signer.sign(claims).split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, tier: 'PREMIUM' })).toString('base64url');
    const tampered = `${prefix}.${forged}.${signature}`;
    expect(signer.verify(tampered)).toBeNull();
    expect(offlineCheck(tampered, pem)).toBeNull();
  });

  it('rejects a key signed by another key pair', () => {
    const foreign = newSigner().sign(claims);
    expect(signer.verify(foreign)).toBeNull();
    expect(offlineCheck(foreign, pem)).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['two parts', 'LIC1.abc'],
    ['wrong prefix', signer.sign(claims).replace(/^LIC1/, 'LIC2')],
    ['not base64url', 'LIC1.a+b/c.def'],
    ['short signature', `LIC1.${Buffer.from('{}').toString('base64url')}.AAAA`],
  ])('rejects a malformed key (%s)', (_name, key) => {
    expect(signer.verify(key)).toBeNull();
  });

  it('rejects a correctly signed payload that is not license claims', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const body = `LIC1.${Buffer.from(JSON.stringify({ hello: 'world' })).toString('base64url')}`;
    const key = `${body}.${sign(null, Buffer.from(body), privateKey).toString('base64url')}`;
    expect(verifyLicenseKey(key, publicKey)).toBeNull();
  });

  it('exposes the 32 raw public key bytes and a stable key id', () => {
    expect(rawPublicKey(signer.publicKey)).toHaveLength(32);
    expect(signer.keyId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(createLicenseSigner(generateKeyPairSync('ed25519').privateKey).keyId).not.toBe(signer.keyId);
  });
});
