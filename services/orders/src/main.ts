import { ORDERS_STRIPE_CONSUMER } from '@billing/contracts';
import {
  connectServiceInfra,
  createLogger,
  createStripeClient,
  exitOnStartupError,
  onShutdownSignal,
  type Logger,
} from '@billing/runtime';
import { buildOrdersService } from './app';
import { readCatalogSeed } from './catalog/catalog-seed';
import { loadConfig } from './config';
import { registerModels } from './db/models';
import { stripeApi } from './stripe/stripe-api';

const VERSION = process.env.npm_package_version ?? '0.1.0';

async function main(): Promise<void> {
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    logger = createLogger({ service: 'orders', version: VERSION, level: config.logLevel });
    const catalogSeed = await readCatalogSeed(config.catalogSeedPath, config.catalogSeedRequired);
    const infra = await connectServiceInfra({
      service: 'orders',
      config,
      logger,
      consumers: [ORDERS_STRIPE_CONSUMER],
      registerModels,
    });
    const stripe = stripeApi(createStripeClient(config.stripe));
    const service = await buildOrdersService({
      config,
      logger,
      infra,
      stripe,
      catalogSeed,
      version: VERSION,
    });
    onShutdownSignal(logger, async () => {
      await service.http.close();
      await service.stop();
      await infra.nats.close();
      await infra.db.close();
    });
    await service.start();
    await service.http.listen({ port: config.port, host: config.host });
  } catch (err) {
    exitOnStartupError(logger, err);
  }
}

void main();
