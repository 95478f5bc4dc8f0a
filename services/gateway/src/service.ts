import { declareStreams, stripeEventsStream } from '@billing/contracts';
import {
  Metrics,
  publishObserver,
  untilReady,
  type HttpApp,
  type Logger,
  type NatsHandle,
} from '@billing/runtime';
import { accountDeps } from './accounts';
import { buildGatewayApp } from './app';
import { effectiveBodyLimit, type GatewayConfig } from './config';
import { jetStreamEventPublisher } from './publisher';
import { natsReadiness } from './readiness';
import { keyValueReconcilerState } from './reconcile/reconciler-state';

export interface GatewayService {
  app: HttpApp;
  /** Starts each account's reconciler (after the app listens). */
  startReconcilers(): void;
  /** Stops accepting, lets in-flight publishes answer, stops the reconcilers. */
  stop(): Promise<void>;
}

/**
 * The gateway on a connected NATS: the Stripe events stream as configured, the publisher, each
 * account's thin-event source and reconciler, and the HTTP app. Waits (logging) while JetStream
 * is not ready, unless `stopped()`.
 */
export async function composeGateway(deps: {
  config: Readonly<GatewayConfig>;
  nats: NatsHandle;
  logger: Logger;
  version: string;
  stopped: () => boolean;
}): Promise<GatewayService> {
  const { config, nats, logger: log, stopped } = deps;
  const stream = stripeEventsStream(config.streamMaxAgeDays);
  await untilReady('JetStream', () => declareStreams(nats.jsm, [stream]), log, { stopped });
  const maxBodyBytes = effectiveBodyLimit(config.maxBodyBytes, nats.nc.info?.max_payload, log);
  if (config.thinWebhookSecrets.length > 0 && !config.stripeApi)
    log.error('STRIPE_THIN_WEBHOOK_SECRET is set but STRIPE_SECRET_KEY is not: thin events get 503');
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
    version: deps.version,
  });
  return {
    app,
    startReconcilers: () => {
      for (const reconciler of reconcilers) reconciler?.start();
    },
    stop: async () => {
      await app.close();
      for (const reconciler of reconcilers) await reconciler?.stop();
    },
  };
}
