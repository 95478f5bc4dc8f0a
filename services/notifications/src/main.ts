import { NOTIFICATIONS_LICENSING_CONSUMER, NOTIFICATIONS_ORDERS_CONSUMER } from '@billing/contracts';
import { runConsumerService } from '@billing/runtime';
import { buildNotificationsService } from './app';
import { loadConfig } from './config';
import { registerModels } from './db/models';

const VERSION = process.env.npm_package_version ?? '0.1.0';

void runConsumerService({
  service: 'notifications',
  version: VERSION,
  loadConfig,
  consumers: [NOTIFICATIONS_ORDERS_CONSUMER, NOTIFICATIONS_LICENSING_CONSUMER],
  registerModels,
  build: (deps) => buildNotificationsService({ ...deps, version: VERSION }),
});
