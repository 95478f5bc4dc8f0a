import { NOTIFICATIONS_LICENSING_CONSUMER, NOTIFICATIONS_ORDERS_CONSUMER } from '@billing/contracts';
import { packageVersion, runConsumerService } from '@billing/runtime';
import { buildNotificationsService } from './app';
import { loadConfig } from './config';
import { registerModels } from './db/models';

const VERSION = packageVersion(__dirname);

void runConsumerService({
  service: 'notifications',
  version: VERSION,
  loadConfig,
  consumers: [NOTIFICATIONS_ORDERS_CONSUMER, NOTIFICATIONS_LICENSING_CONSUMER],
  registerModels,
  build: (deps) => buildNotificationsService({ ...deps, version: VERSION }),
});
