import type { LineItemWire } from '../stripe/stripe-api';
import { lineKeys, matchProduct, toOrderLine, type CatalogEntry } from './catalog-match';

const entry = (sku: string, over: Partial<CatalogEntry> = {}): CatalogEntry => ({
  sku,
  name: `${sku} name`,
  kind: 'digital',
  tier: null,
  downloadUrl: null,
  stripePriceIds: [],
  stripeProductIds: [],
  active: true,
  ...over,
});

const item = (over: Partial<LineItemWire> = {}): LineItemWire => ({
  id: 'li_1',
  description: 'Pro license',
  quantity: 2,
  amount_total: 9800,
  currency: 'usd',
  price: {
    id: 'price_1',
    unit_amount: 4900,
    metadata: { sku: 'PRICE-SKU' },
    product: { id: 'prod_1', name: 'Pro', metadata: { sku: 'PRODUCT-SKU' } },
  },
  ...over,
});

describe('catalog mapping', () => {
  it('reads the ids and the metadata skus of a line', () => {
    expect(lineKeys(item())).toEqual({
      priceId: 'price_1',
      productId: 'prod_1',
      skus: ['PRICE-SKU', 'PRODUCT-SKU'],
    });
    expect(lineKeys(item({ price: { id: 'price_2', product: 'prod_2', metadata: {} } }))).toEqual({
      priceId: 'price_2',
      productId: 'prod_2',
      skus: [],
    });
    expect(lineKeys(item({ price: null }))).toEqual({ priceId: null, productId: null, skus: [] });
  });

  it('prefers a price mapping, then a product mapping, then the metadata sku', () => {
    const byPrice = entry('BY-PRICE', { stripePriceIds: ['price_1'] });
    const byProduct = entry('BY-PRODUCT', { stripeProductIds: ['prod_1'] });
    const priceSku = entry('PRICE-SKU');
    const productSku = entry('PRODUCT-SKU');
    const keys = lineKeys(item());
    expect(matchProduct(keys, [productSku, priceSku, byProduct, byPrice])?.sku).toBe('BY-PRICE');
    expect(matchProduct(keys, [productSku, priceSku, byProduct])?.sku).toBe('BY-PRODUCT');
    expect(matchProduct(keys, [productSku, priceSku])?.sku).toBe('PRICE-SKU');
    expect(matchProduct(keys, [productSku])?.sku).toBe('PRODUCT-SKU');
    expect(matchProduct(keys, [entry('OTHER')])).toBeNull();
  });

  it('copies catalog fields onto the line, or flags it unmapped', () => {
    const keys = lineKeys(item());
    const product = entry('PRO', { kind: 'subscription', tier: 'pro', downloadUrl: 'https://x.example/dl' });
    expect(toOrderLine(item(), keys, product)).toEqual({
      lineId: 'li_1',
      stripePriceId: 'price_1',
      stripeProductId: 'prod_1',
      description: 'Pro license',
      quantity: 2,
      unitAmount: 4900,
      amountTotal: 9800,
      currency: 'usd',
      sku: 'PRO',
      productName: 'PRO name',
      kind: 'subscription',
      tier: 'pro',
      downloadUrl: 'https://x.example/dl',
      unmapped: false,
    });
    expect(toOrderLine(item(), keys, null)).toMatchObject({
      sku: null,
      kind: null,
      productName: null,
      unmapped: true,
    });
  });
});
