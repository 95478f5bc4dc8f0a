import type { Static } from '@sinclair/typebox';
import { PUBLIC, type HttpApp } from '@billing/runtime';
import { KEY_PREFIX, rawPublicKey, type LicenseSigner } from '../domain/license-key';
import { Jwks, PublicKey } from './schemas';

/**
 * The public key apps use to check license keys offline, as PEM + raw bytes and as a JWKS
 * (RFC 8037 OKP key). Key format: services/licensing/README.md.
 */
export function registerWellKnownRoutes(
  app: HttpApp,
  signer: Pick<LicenseSigner, 'publicKey' | 'keyId'>,
): void {
  const pem = signer.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const raw = rawPublicKey(signer.publicKey).toString('base64url');
  const publicKey: Static<typeof PublicKey> = {
    algorithm: 'Ed25519',
    keyId: signer.keyId,
    publicKeyPem: pem,
    /** The 32-byte public key, base64url. */
    publicKeyRaw: raw,
    keyFormat: `${KEY_PREFIX}.<base64url(JSON claims)>.<base64url(Ed25519 signature of "${KEY_PREFIX}.<base64url(JSON claims)>")>`,
  };
  const jwks: Static<typeof Jwks> = {
    keys: [{ kty: 'OKP', crv: 'Ed25519', x: raw, kid: signer.keyId, use: 'sig', alg: 'EdDSA' }],
  };

  const tags = ['public key'];
  const keySchema = {
    summary: 'The public key that signs license keys, to check them offline',
    tags,
    security: PUBLIC,
    response: { 200: PublicKey },
  };
  app.get('/.well-known/license-public-key', { schema: keySchema }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(publicKey),
  );
  const jwksSchema = { summary: 'The same key as a JWKS', tags, security: PUBLIC, response: { 200: Jwks } };
  app.get('/.well-known/jwks.json', { schema: jwksSchema }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(jwks),
  );
}
