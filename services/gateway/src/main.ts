import { STRIPE_EVENTS_STREAM, declareStreams } from '@billing/contracts';
import {
  connectNats,
  createLogger,
  exitOnStartupError,
  onShutdownSignal,
  type Logger,
} from '@billing/runtime';
import { buildGatewayApp } from './app';
import { loadConfig } from './config';
import { jetStreamEventPublisher } from './publisher';
import { natsReadiness } from './readiness';

const VERSION = process.env.npm_package_version ?? '0.1.0';

async function main(): Promise<void> {
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    logger = createLogger({ service: 'gateway', version: VERSION, level: config.logLevel });
    const nats = await connectNats(config.natsUrl, 'gateway', logger, config.publishTimeoutMs);
    await declareStreams(nats.jsm, [STRIPE_EVENTS_STREAM]);
    const app = await buildGatewayApp({
      config,
      logger,
      publisher: jetStreamEventPublisher(nats, config.publishTimeoutMs),
      readiness: natsReadiness(nats),
    });
    // Stop accepting, let in-flight publishes finish and answer, then drain NATS.
    onShutdownSignal(logger, async () => {
      await app.close();
      await nats.close();
    });
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    exitOnStartupError(logger, err);
  }
}

void main();
