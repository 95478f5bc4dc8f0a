import { Type, type Static } from '@sinclair/typebox';
import { ProductKind, Nullable } from '@billing/contracts';

export const Sku = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
const StripeIds = (prefix: string) => Type.Array(Type.String({ pattern: `^${prefix}` }), { maxItems: 100 });

/** The fields an operator (or the seed file) sets on a catalog product. */
export const CatalogProductFields = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 300 }),
    kind: ProductKind,
    tier: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    downloadUrl: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 2000 }))),
    /** Stripe prices (`price_...`) sold as this product. */
    stripePriceIds: Type.Optional(StripeIds('price_')),
    /** Stripe products (`prod_...`) sold as this product. */
    stripeProductIds: Type.Optional(StripeIds('prod_')),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CatalogProductFields = Static<typeof CatalogProductFields>;

/** A new product; `stock` is the opening stock of a physical product. */
export const CatalogProductCreate = Type.Composite(
  [CatalogProductFields, Type.Object({ sku: Sku, stock: Type.Optional(Type.Integer({ minimum: 0 })) })],
  { additionalProperties: false },
);
export type CatalogProductCreate = Static<typeof CatalogProductCreate>;

export const CatalogSeed = Type.Array(CatalogProductCreate, { maxItems: 10_000 });
export type CatalogSeed = Static<typeof CatalogSeed>;

export const CatalogProductView = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  kind: ProductKind,
  tier: Nullable(Type.String()),
  downloadUrl: Nullable(Type.String()),
  stripePriceIds: Type.Array(Type.String()),
  stripeProductIds: Type.Array(Type.String()),
  active: Type.Boolean(),
  /** Units on hand for physical products (from the stock ledger); null for other kinds. */
  stock: Nullable(Type.Integer()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
