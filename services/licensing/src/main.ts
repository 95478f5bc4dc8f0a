import { LICENSING_ORDERS_CONSUMER, LICENSING_STRIPE_CONSUMER } from '@billing/contracts';
import {
  connectServiceInfra,
  createLogger,
  exitOnStartupError,
  onShutdownSignal,
  type Logger,
} from '@billing/runtime';
import { buildLicensingService } from './app';
import { loadConfig } from './config';
import { registerModels } from './db/models';
import { loadSigner } from './signing';

const VERSION = process.env.npm_package_version ?? '0.1.0';

async function main(): Promise<void> {
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    logger = createLogger({ service: 'licensing', version: VERSION, level: config.logLevel });
    const signer = loadSigner(config, logger);
    const infra = await connectServiceInfra({
      service: 'licensing',
      config,
      logger,
      consumers: [LICENSING_STRIPE_CONSUMER, LICENSING_ORDERS_CONSUMER],
      registerModels,
    });
    const service = await buildLicensingService({ config, logger, infra, signer });
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
