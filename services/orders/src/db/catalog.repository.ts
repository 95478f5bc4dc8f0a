import type { Connection, QueryFilter, Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import type { CatalogProductFields } from '../catalog/catalog.schema';
import type { LineKeys } from '../catalog/catalog-match';
import { catalogModel, type CatalogProduct, type CatalogProductDoc } from './catalog.model';
import { renameId } from './rename-id';

const toProduct = (doc: CatalogProductDoc): CatalogProduct => renameId(doc, 'sku') as CatalogProduct;

function fieldsOf(input: CatalogProductFields) {
  return {
    name: input.name,
    kind: input.kind,
    tier: input.tier ?? null,
    downloadUrl: input.downloadUrl ?? null,
    stripePriceIds: [...new Set(input.stripePriceIds ?? [])],
    stripeProductIds: [...new Set(input.stripeProductIds ?? [])],
    active: input.active ?? true,
  };
}

export class CatalogRepository {
  private readonly model: Model<CatalogProductDoc>;

  constructor(db: Connection) {
    this.model = catalogModel(db);
  }

  /** False when the sku exists already. */
  create(sku: string, input: CatalogProductFields, now: Date): Promise<boolean> {
    return insertOnce(this.model, { _id: sku, ...fieldsOf(input), createdAt: now, updatedAt: now });
  }

  async get(sku: string): Promise<CatalogProduct | null> {
    const doc = await this.model.findById(sku).lean<CatalogProductDoc>();
    return doc ? toProduct(doc) : null;
  }

  /** Replaces the product's fields; null when there is no such sku. */
  async replace(sku: string, input: CatalogProductFields, now: Date): Promise<CatalogProduct | null> {
    const result = await this.model.updateOne({ _id: sku }, { $set: { ...fieldsOf(input), updatedAt: now } });
    return result.matchedCount > 0 ? this.get(sku) : null;
  }

  async remove(sku: string): Promise<boolean> {
    const result = await this.model.deleteOne({ _id: sku });
    return result.deletedCount > 0;
  }

  /** By sku, ascending; `after` is the last sku of the previous page. */
  async list(limit: number, after?: string): Promise<CatalogProduct[]> {
    const query: QueryFilter<CatalogProductDoc> = after ? { _id: { $gt: after } } : {};
    const docs = await this.model.find(query).sort({ _id: 1 }).limit(limit).lean<CatalogProductDoc[]>();
    return docs.map(toProduct);
  }

  /** Every product a checkout line could map to (see `matchProduct` for which one wins). */
  async candidatesFor(keys: LineKeys): Promise<CatalogProduct[]> {
    const or: QueryFilter<CatalogProductDoc>[] = [];
    if (keys.priceId) or.push({ stripePriceIds: keys.priceId });
    if (keys.productId) or.push({ stripeProductIds: keys.productId });
    if (keys.skus.length > 0) or.push({ _id: { $in: keys.skus } });
    if (or.length === 0) return [];
    const docs = await this.model.find({ $or: or }).lean<CatalogProductDoc[]>();
    return docs.map(toProduct);
  }
}
