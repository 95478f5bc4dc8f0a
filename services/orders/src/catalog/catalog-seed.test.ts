import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_CATALOG_SEED } from '../config';
import { readCatalogSeed } from './catalog-seed';

async function seedFile(content: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'orders-seed-'));
  const file = path.join(dir, 'catalog.json');
  await writeFile(file, content);
  return file;
}

describe('catalog seed file', () => {
  it('reads the shipped seed', async () => {
    const seed = await readCatalogSeed(DEFAULT_CATALOG_SEED, true);
    expect(seed.length).toBeGreaterThan(0);
    expect(seed.find((p) => p.kind === 'physical')?.stock).toBeGreaterThan(0);
  });

  it('is optional unless asked for', async () => {
    await expect(readCatalogSeed('/nonexistent/catalog.json', false)).resolves.toEqual([]);
    await expect(readCatalogSeed('/nonexistent/catalog.json', true)).rejects.toThrow(
      /ORDERS_CATALOG_SEED: cannot read/,
    );
    await expect(readCatalogSeed(null, false)).resolves.toEqual([]);
  });

  it.each([
    ['not JSON', '{', /is not JSON/],
    [
      'an unknown kind',
      JSON.stringify([{ sku: 'A', name: 'A', kind: 'service' }]),
      /is not a list of products/,
    ],
    [
      'a price id without its prefix',
      JSON.stringify([{ sku: 'A', name: 'A', kind: 'digital', stripePriceIds: ['prod_1'] }]),
      /is not a list/,
    ],
    [
      'an unknown field',
      JSON.stringify([{ sku: 'A', name: 'A', kind: 'digital', colour: 'red' }]),
      /is not a list/,
    ],
    [
      'a sku twice',
      JSON.stringify([
        { sku: 'A', name: 'A', kind: 'digital' },
        { sku: 'A', name: 'B', kind: 'digital' },
      ]),
      /lists sku A twice/,
    ],
  ])('refuses %s', async (_name, content, message) => {
    await expect(readCatalogSeed(await seedFile(content), true)).rejects.toThrow(message);
  });
});
