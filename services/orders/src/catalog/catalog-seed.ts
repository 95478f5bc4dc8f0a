import { readFile } from 'node:fs/promises';
import { compile } from '@billing/contracts';
import { CatalogSeed } from './catalog.schema';

const seedValidator = compile(CatalogSeed);

/**
 * Reads and validates the catalog seed file. A missing file is fine unless it was asked for
 * explicitly; an invalid one always stops the start-up, naming the file and what is wrong.
 */
export async function readCatalogSeed(path: string | null, required: boolean): Promise<CatalogSeed> {
  if (!path) return [];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !required) return [];
    throw new Error(`ORDERS_CATALOG_SEED: cannot read ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`ORDERS_CATALOG_SEED: ${path} is not JSON: ${(err as Error).message}`);
  }
  if (!seedValidator.check(parsed)) {
    throw new Error(
      `ORDERS_CATALOG_SEED: ${path} is not a list of products: ${seedValidator.explain(parsed)}`,
    );
  }
  const skus = new Set<string>();
  for (const product of parsed) {
    if (skus.has(product.sku)) throw new Error(`ORDERS_CATALOG_SEED: ${path} lists sku ${product.sku} twice`);
    skus.add(product.sku);
  }
  return parsed;
}
