// Baseline for the gateway benchmark: the same Fastify app and the same `stripe` signature
// verification, answering 200 without publishing anything.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { buildGatewayApp } = require('../services/gateway/dist/app.js');
const { createLogger } = require('@billing/runtime');

const port = Number(process.env.PORT);
const logger = createLogger({
  service: 'verify-only',
  version: 'bench',
  level: process.env.LOG_LEVEL ?? 'info',
});
const app = await buildGatewayApp({
  config: {
    webhookSecrets: [process.env.STRIPE_WEBHOOK_SECRET],
    toleranceSeconds: 300,
    maxBodyBytes: 1024 * 1024,
  },
  logger,
  publisher: { publish: async () => ({ duplicate: false }) },
  readiness: {},
});
await app.listen({ port, host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
