import { randomUUID } from 'node:crypto';
import { BadRequestError, ConflictError, NotFoundError, type Logger } from '@billing/runtime';
import type { CatalogProduct } from '../db/catalog.model';
import type { CatalogRepository } from '../db/catalog.repository';
import type { StockMovement } from '../db/stock-movement.model';
import type { StockRepository } from '../db/stock.repository';
import type { CatalogProductCreate, CatalogProductFields } from './catalog.schema';

export type CatalogProductWithStock = CatalogProduct & { stock: number | null };

/** Catalog products and their stock, for the admin API and the seed file. */
export class CatalogService {
  constructor(
    private readonly catalog: CatalogRepository,
    private readonly stock: StockRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async withStock(product: CatalogProduct): Promise<CatalogProductWithStock> {
    return { ...product, stock: product.kind === 'physical' ? await this.stock.balance(product.sku) : null };
  }

  async get(sku: string): Promise<CatalogProductWithStock> {
    const product = await this.catalog.get(sku);
    if (!product) throw new NotFoundError(`no catalog product ${sku}`);
    return this.withStock(product);
  }

  async list(limit: number, after?: string): Promise<CatalogProductWithStock[]> {
    return Promise.all((await this.catalog.list(limit, after)).map((p) => this.withStock(p)));
  }

  async create(input: CatalogProductCreate): Promise<CatalogProductWithStock> {
    const { sku, stock, ...fields } = input;
    if (stock !== undefined && input.kind !== 'physical') {
      throw new BadRequestError('only physical products have stock', 'not_physical');
    }
    if (!(await this.catalog.create(sku, fields, this.now())))
      throw new ConflictError(`catalog product ${sku} exists`);
    // An operator's opening stock sets the balance, also for a sku re-created after a delete
    // (its ledger outlives the product): a movement of its own, sized against the balance.
    if (input.kind === 'physical' && stock !== undefined) {
      await this.stock.append(
        `opening:${sku}:${randomUUID()}`,
        sku,
        (balance) => ({ delta: stock - balance, reason: 'opening' }),
        this.now(),
      );
    }
    return this.get(sku);
  }

  async replace(sku: string, fields: CatalogProductFields): Promise<CatalogProductWithStock> {
    const product = await this.catalog.replace(sku, fields, this.now());
    if (!product) throw new NotFoundError(`no catalog product ${sku}`);
    return this.withStock(product);
  }

  async remove(sku: string): Promise<void> {
    if (!(await this.catalog.remove(sku))) throw new NotFoundError(`no catalog product ${sku}`);
  }

  /** Adds (or with a negative delta removes) units of a physical product; never below zero. */
  async adjustStock(
    sku: string,
    delta: number,
    note: string | null,
  ): Promise<{ movement: StockMovement; stock: number }> {
    const product = await this.catalog.get(sku);
    if (!product) throw new NotFoundError(`no catalog product ${sku}`);
    if (product.kind !== 'physical')
      throw new BadRequestError('only physical products have stock', 'not_physical');
    const movement = await this.stock.append(
      `adjust:${randomUUID()}`,
      sku,
      (balance) => {
        if (balance + delta < 0) {
          throw new ConflictError(
            `stock of ${sku} is ${balance}; cannot remove ${-delta}`,
            'insufficient_stock',
          );
        }
        return { delta, reason: 'adjustment', note };
      },
      this.now(),
    );
    return { movement, stock: movement.balance };
  }

  /**
   * Inserts the seed's products that are missing; existing ones keep what operators changed.
   * Opening stock is a ledger movement named after the sku, so it is added once, ever.
   */
  async seed(entries: readonly CatalogProductCreate[], log: Logger): Promise<number> {
    let created = 0;
    for (const entry of entries) {
      const { sku, stock: _stock, ...fields } = entry;
      if (await this.catalog.create(sku, fields, this.now())) created += 1;
      if (entry.kind === 'physical' && entry.stock !== undefined) {
        const units = entry.stock;
        await this.stock.append(
          `opening:${sku}`,
          sku,
          () => ({ delta: units, reason: 'opening' }),
          this.now(),
        );
      }
    }
    log.info({ products: entries.length, created }, 'catalog seeded');
    return created;
  }
}
