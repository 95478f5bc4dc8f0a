import path from 'node:path';
import type Stripe from 'stripe';
import { DEFAULT_BILLING_ACCOUNT } from '@billing/contracts';
import {
  createStripeClient,
  EnvReader,
  readExtraStripeAccounts,
  readConsumerServiceConfig,
  readStripeApiConfig,
  type ConsumerServiceConfig,
  type StripeApiConfig,
} from '@billing/runtime';

export interface OrdersConfig extends ConsumerServiceConfig {
  /** The default account's API (STRIPE_SECRET_KEY, STRIPE_API_URL...). */
  stripe: StripeApiConfig;
  /** The API key of each account label: the default one, then those of STRIPE_ACCOUNTS(_FILE). */
  stripeKeys: Readonly<Record<string, string>>;
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
  const stripe = readStripeApiConfig(reader);
  return Object.freeze({
    ...readConsumerServiceConfig(reader, 'orders', 3002),
    stripe,
    stripeKeys: Object.freeze({
      [DEFAULT_BILLING_ACCOUNT]: stripe.secretKey,
      ...Object.fromEntries(readExtraStripeAccounts(reader).map((a) => [a.label, a.secretKey as string])),
    }),
    catalogSeedPath: seed === 'none' ? null : path.resolve(seed ?? DEFAULT_CATALOG_SEED),
    catalogSeedRequired: seed !== undefined && seed !== 'none',
    restockOnRefund: reader.bool('ORDERS_RESTOCK_ON_REFUND', false),
  });
}

/** A Stripe client per account label, each with its own key and the default account's API settings. */
export function stripeClients(config: Pick<OrdersConfig, 'stripe' | 'stripeKeys'>): Map<string, Stripe> {
  return new Map(
    Object.entries(config.stripeKeys).map(([label, secretKey]) => [
      label,
      createStripeClient({ ...config.stripe, secretKey }),
    ]),
  );
}
