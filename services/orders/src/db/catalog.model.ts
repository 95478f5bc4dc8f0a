import { Schema, type Connection, type Model } from 'mongoose';
import type { CatalogEntry } from '../catalog/catalog-match';

export interface CatalogProduct extends CatalogEntry {
  createdAt: Date;
  updatedAt: Date;
}

export type CatalogProductDoc = Omit<CatalogProduct, 'sku'> & { _id: string };

const catalogSchema = new Schema<CatalogProductDoc>(
  {
    // The sku is the key: creating an existing sku fails with E11000.
    _id: { type: String, required: true },
    name: { type: String, required: true },
    kind: { type: String, required: true },
    tier: { type: String, default: null },
    downloadUrl: { type: String, default: null },
    stripePriceIds: { type: [String], default: [] },
    stripeProductIds: { type: [String], default: [] },
    active: { type: Boolean, default: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'catalog_products', versionKey: false },
);
// Maps a checkout line by its Stripe price.
catalogSchema.index({ stripePriceIds: 1 });
// Maps a checkout line by its Stripe product.
catalogSchema.index({ stripeProductIds: 1 });

export function catalogModel(db: Connection): Model<CatalogProductDoc> {
  return (
    (db.models.CatalogProduct as Model<CatalogProductDoc> | undefined) ??
    db.model<CatalogProductDoc>('CatalogProduct', catalogSchema)
  );
}
