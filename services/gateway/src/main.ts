import { declareStreams, stripeEventsStream } from '@billing/contracts';
import {
  connectNats,
  createLogger,
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
import { keyValueReconcilerState } from './reconcile/reconciler-state';
import { accountDeps } from './accounts';

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
    const stream = stripeEventsStream(config.streamMaxAgeDays);
    await untilReady('JetStream', () => declareStreams(nats.jsm, [stream]), log, { stopped });
    const maxBodyBytes = effectiveBodyLimit(config.maxBodyBytes, nats.nc.info?.max_payload, log);
    if (config.thinWebhookSecrets.length > 0 && !config.stripeApi) {
      log.error('STRIPE_THIN_WEBHOOK_SECRET is set but STRIPE_SECRET_KEY is not: thin events get 503');
    }
    const metrics = new Metrics({ service: 'gateway' });
    const publisher = jetStreamEventPublisher(
      nats,
      config.publishTimeoutMs,
      log,
      publishObserver(metrics),
      stream,
    );
    const state = await untilReady('JetStream', () => keyValueReconcilerState(nats), log, { stopped });
    const [defaultAccount, ...accounts] = accountDeps(config.accounts, {
      publisher,
      state,
      logger: log,
      intervalMs: config.reconcileIntervalMs,
    });
    const reconcilers = [defaultAccount?.reconciler, ...accounts.map((a) => a.reconciler)];
    if (!defaultAccount?.reconciler)
      log.warn('STRIPE_SECRET_KEY is not set: missed Stripe events are not looked for');
    const app = await buildGatewayApp({
      config: { ...config, maxBodyBytes },
      logger: log,
      metrics,
      publisher,
      reconciler: defaultAccount?.reconciler,
      stripeEvents: defaultAccount?.stripeEvents,
      accounts,
      readiness: natsReadiness(nats),
      version: VERSION,
    });
    // Stop accepting and reconciling, let in-flight publishes finish and answer, then drain NATS.
    shutdown = async () => {
      await app.close();
      for (const reconciler of reconcilers) await reconciler?.stop();
      await nats.close();
      await tracing?.shutdown();
    };
    await startup.close();
    await app.listen({ port: config.port, host: config.host });
    for (const reconciler of reconcilers) reconciler?.start();
  } catch (err) {
    exitOnStartupError(logger, err);
  }
}

void main();
