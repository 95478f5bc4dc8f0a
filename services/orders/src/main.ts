import { ORDERS_STRIPE_CONSUMER } from '@billing/contracts';
import { packageVersion, runConsumerService } from '@billing/runtime';
import { buildOrdersService } from './app';
import { readCatalogSeed } from './catalog/catalog-seed';
import { loadConfig, stripeClients } from './config';
import { registerModels } from './db/models';
import { stripeApi } from './stripe/stripe-api';

const VERSION = packageVersion(__dirname);

void runConsumerService({
  service: 'orders',
  version: VERSION,
  loadConfig,
  consumers: [ORDERS_STRIPE_CONSUMER],
  registerModels,
  build: async ({ config, logger, infra }) =>
    buildOrdersService({
      config,
      logger,
      infra,
      stripe: stripeApi(stripeClients(config)),
      catalogSeed: await readCatalogSeed(config.catalogSeedPath, config.catalogSeedRequired),
      version: VERSION,
    }),
});
