import { STRIPE_EVENTS_STREAM, declareStreams } from '@billing/contracts';
import {
  connectNats,
  createLogger,
  createStripeClient,
  exitOnStartupError,
  Metrics,
  onShutdownSignal,
  packageVersion,
  publishObserver,
  startStartupServer,
  startTracing,
  untilReady,
  type Logger,
} from '@billing/runtime';
import { buildGatewayApp } from './app';
import { effectiveBodyLimit, loadConfig } from './config';
import { jetStreamEventPublisher } from './publisher';
import { natsReadiness } from './readiness';
import { stripeEventSource } from './thin-events';

const VERSION = packageVersion(__dirname);

async function main(): Promise<void> {
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    const tracing = startTracing('gateway', VERSION);
    const log = (logger = createLogger({ service: 'gateway', version: VERSION, level: config.logLevel }));
    // While NATS is down at start the port answers /healthz, and /readyz says what is awaited.
    let stopping = false;
    const startup = await startStartupServer(config.port, config.host, () => 'NATS');
    let shutdown = async () => {
      stopping = true;
      await startup.close();
    };
    onShutdownSignal(log, () => shutdown(), config.shutdownGraceMs);
    const stopped = () => stopping;
    const nats = await untilReady(
      'NATS',
      () => connectNats(config.natsUrl, 'gateway', log, config.publishTimeoutMs, config.natsTls),
      log,
      { stopped },
    );
    await untilReady('JetStream', () => declareStreams(nats.jsm, [STRIPE_EVENTS_STREAM]), log, { stopped });
    const maxBodyBytes = effectiveBodyLimit(config.maxBodyBytes, nats.nc.info?.max_payload, log);
    if (config.thinWebhookSecrets.length > 0 && !config.stripeApi) {
      log.error('STRIPE_THIN_WEBHOOK_SECRET is set but STRIPE_SECRET_KEY is not: thin events get 503');
    }
    const metrics = new Metrics({ service: 'gateway' });
    const app = await buildGatewayApp({
      config: { ...config, maxBodyBytes },
      logger: log,
      metrics,
      publisher: jetStreamEventPublisher(nats, config.publishTimeoutMs, log, publishObserver(metrics)),
      stripeEvents: config.stripeApi && stripeEventSource(createStripeClient(config.stripeApi)),
      readiness: natsReadiness(nats),
      version: VERSION,
    });
    // Stop accepting, let in-flight publishes finish and answer, then drain NATS.
    shutdown = async () => {
      await app.close();
      await nats.close();
      await tracing?.shutdown();
    };
    await startup.close();
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    exitOnStartupError(logger, err);
  }
}

void main();
