import { Type } from '@sinclair/typebox';
import { LicenseStatus, Nullable } from '@billing/contracts';
import { AnswerDate } from '@billing/runtime';

/**
 * The answers of the licensing routes. Fastify writes an answer with exactly the fields its
 * schema declares, and the OpenAPI document is made from the same schemas.
 */

const Literals = <const T extends string>(values: readonly T[]) =>
  Type.Union(values.map((value) => Type.Literal(value)));

export const VerifyAnswer = Type.Object({
  valid: Type.Boolean({ description: 'true exactly when `code` is VALID' }),
  code: Literals([
    'VALID',
    'EXPIRED',
    'SUSPENDED',
    'REVOKED',
    'NOT_FOUND',
    'FINGERPRINT_SCOPE_MISMATCH',
    'TOO_MANY_MACHINES',
  ]),
  licenseId: Nullable(Type.String()),
  status: Nullable(LicenseStatus),
  expiresAt: Nullable(AnswerDate),
  product: Nullable(Type.Object({ sku: Type.String(), name: Type.String() })),
  tier: Nullable(Type.String()),
});

export const Activation = Type.Object({
  licenseId: Type.String(),
  fingerprint: Type.String(),
  name: Nullable(Type.String()),
  activatedAt: AnswerDate,
  seats: Type.Integer({ description: 'Machines the license may be activated on' }),
  used: Type.Integer({ description: 'Machines activated now, this one included' }),
});

export const Machine = Type.Object({
  licenseId: Type.String(),
  fingerprint: Type.String(),
  name: Nullable(Type.String()),
  slot: Type.Integer({ description: 'The seat it occupies, from 0' }),
  activatedAt: AnswerDate,
});

/** A license as it stands now (status, tier and expiry derived from the stored facts). */
export const LicenseJson = Type.Object({
  licenseId: Type.String(),
  key: Type.String(),
  status: LicenseStatus,
  revokeReason: Nullable(Literals(['subscription_deleted', 'refunded', 'admin'])),
  productSku: Type.String(),
  productName: Type.String(),
  tier: Nullable(Type.String()),
  orderId: Type.String(),
  subscriptionId: Nullable(Type.String()),
  customerEmail: Type.String(),
  expiresAt: Nullable(AnswerDate),
  issuedAt: AnswerDate,
});

export const Entitlements = Type.Object({
  email: Type.String(),
  tier: Type.String({ description: 'The highest tier any usable license or live subscription grants' }),
  features: Type.Array(Type.String()),
  licenses: Type.Array(LicenseJson),
});

export const LicenseAnswer = Type.Object({ license: LicenseJson });

export const PublicKey = Type.Object({
  algorithm: Type.Literal('Ed25519'),
  keyId: Type.String(),
  publicKeyPem: Type.String(),
  publicKeyRaw: Type.String({ description: 'The 32-byte public key, base64url' }),
  keyFormat: Type.String(),
});

export const Jwks = Type.Object({
  keys: Type.Array(
    Type.Object({
      kty: Type.Literal('OKP'),
      crv: Type.Literal('Ed25519'),
      x: Type.String(),
      kid: Type.String(),
      use: Type.Literal('sig'),
      alg: Type.Literal('EdDSA'),
    }),
  ),
});
