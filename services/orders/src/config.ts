import path from 'node:path';
import {
  EnvReader,
  readConsumerServiceConfig,
  readStripeApiConfig,
  type ConsumerServiceConfig,
  type StripeApiConfig,
} from '@billing/runtime';

export interface OrdersConfig extends ConsumerServiceConfig {
  stripe: StripeApiConfig;
  /** JSON file of catalog products loaded (insert-if-missing) at start; null when there is none. */
  catalogSeedPath: string | null;
  /** True when `ORDERS_CATALOG_SEED` was set explicitly: then a missing file is a start-up error. */
  catalogSeedRequired: boolean;
  /** Put the stock of physical lines back on a full refund or a cancellation. */
  restockOnRefund: boolean;
}

/** services/orders/catalog.seed.json, from src/ (tests) and dist/ (built) alike. */
export const DEFAULT_CATALOG_SEED = path.resolve(__dirname, '..', 'catalog.seed.json');

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<OrdersConfig> {
  const reader = new EnvReader(env);
  const seed = reader.optionalString('ORDERS_CATALOG_SEED');
  return Object.freeze({
    ...readConsumerServiceConfig(reader, 'orders', 3002),
    stripe: readStripeApiConfig(reader),
    catalogSeedPath: seed === 'none' ? null : path.resolve(seed ?? DEFAULT_CATALOG_SEED),
    catalogSeedRequired: seed !== undefined && seed !== 'none',
    restockOnRefund: reader.bool('ORDERS_RESTOCK_ON_REFUND', false),
  });
}
