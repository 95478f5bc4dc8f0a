import { NOTIFICATIONS_LICENSING_CONSUMER, NOTIFICATIONS_ORDERS_CONSUMER } from '@billing/contracts';
import {
  connectServiceInfra,
  createLogger,
  exitOnStartupError,
  onShutdownSignal,
  type Logger,
} from '@billing/runtime';
import { buildNotificationsService } from './app';
import { loadConfig } from './config';
import { registerModels } from './db/models';

const VERSION = process.env.npm_package_version ?? '0.1.0';

async function main(): Promise<void> {
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    logger = createLogger({ service: 'notifications', version: VERSION, level: config.logLevel });
    const infra = await connectServiceInfra({
      service: 'notifications',
      config,
      logger,
      consumers: [NOTIFICATIONS_ORDERS_CONSUMER, NOTIFICATIONS_LICENSING_CONSUMER],
      registerModels,
    });
    const service = await buildNotificationsService({ config, logger, infra });
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
