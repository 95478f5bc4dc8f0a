import { LICENSING_ORDERS_CONSUMER, LICENSING_STRIPE_CONSUMER } from '@billing/contracts';
import { packageVersion, runConsumerService } from '@billing/runtime';
import { buildLicensingService } from './app';
import { loadConfig } from './config';
import { registerModels } from './db/models';
import { redactKeysInUrl } from './domain/license-key';
import { loadSigner } from './signing';

const VERSION = packageVersion(__dirname);

void runConsumerService({
  service: 'licensing',
  version: VERSION,
  loadConfig,
  consumers: [LICENSING_STRIPE_CONSUMER, LICENSING_ORDERS_CONSUMER],
  registerModels,
  redactUrl: redactKeysInUrl,
  build: (deps) =>
    buildLicensingService({ ...deps, signer: loadSigner(deps.config, deps.logger), version: VERSION }),
});
