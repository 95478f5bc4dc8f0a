import { isIP } from 'node:net';
import type { Connection } from 'mongoose';
import {
  STREAM_OWNED_BY,
  declareConsumers,
  declareStreams,
  type ConsumerDefinition,
} from '@billing/contracts';
import { EnvReader, readCommonConfig, type CommonConfig } from './config';
import type { HttpApp, TrustProxy } from './http';
import { exitOnStartupError, onShutdownSignal } from './lifecycle';
import { createLogger, type Logger } from './logger';
import { Metrics, publishObserver, readMetricsToken, watchServiceState } from './metrics';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
import { DAY_MS, type RetentionRule } from './retention';
import { startStartupServer, untilReady } from './startup';
import { connectMongo, ensureIndexes, isMongoReady } from './mongo';
import { connectNats, type NatsHandle } from './nats';
import { startTracing } from './tracing';
import { DirectEmitter, type EventEmitter } from './events';
import { Outbox } from './outbox';
import { HandledLog } from './handled';
import { JetStreamState } from './jetstream-state';
import { ParkedStore } from './parked';
import { jetStreamPublisher } from './publisher';
import type { RunnerOptions, RunningConsumer } from './runner';

/** Settings shared by the three consuming services (orders, licensing, notifications). */
export interface ConsumerServiceConfig extends CommonConfig {
  port: number;
  host: string;
  adminToken: string;
  /** Accepted besides the admin token for `GET /metrics` only (see readMetricsToken). */
  metricsToken?: string;
  /** How a message that failed for a passing reason is retried before it is parked. */
  retry: RetryPolicy;
  concurrency: number;
  outboxRelayIntervalMs: number;
  /** How often parked messages due for a replay without an operator are looked for. */
  parkedReplayIntervalMs: number;
  /** Replayed parked messages are deleted this long after their replay. */
  parkedRetentionMs: number;
  /** Records of the handled-message log are deleted this long after their last handling. */
  handledRetentionMs: number;
  /** How often what outlived its retention is looked for. */
  retentionSweepIntervalMs: number;
  /** Which proxies' X-Forwarded-For is believed for the client address (see readTrustProxy). */
  trustProxy: TrustProxy;
  /** How long a stop signal may take (see handlerGraceMs); compose's stop_grace_period is longer. */
  shutdownGraceMs: number;
}

export function readConsumerServiceConfig(
  reader: EnvReader,
  service: string,
  defaultPort: number,
): ConsumerServiceConfig {
  const adminToken = reader.string('ADMIN_API_TOKEN');
  if (adminToken.length < 16) throw new Error('ADMIN_API_TOKEN: must be at least 16 characters');
  const day = 24 * 60 * 60 * 1000;
  return {
    ...readCommonConfig(reader, service),
    port: reader.port(`${service.toUpperCase()}_PORT`, defaultPort),
    host: reader.string(`${service.toUpperCase()}_HOST`, '0.0.0.0'),
    adminToken,
    metricsToken: readMetricsToken(reader),
    retry: {
      baseMs: reader.int('CONSUMER_RETRY_BASE_MS', DEFAULT_RETRY_POLICY.baseMs, { min: 10, max: day }),
      maxDelayMs: reader.int('CONSUMER_RETRY_MAX_DELAY_MS', DEFAULT_RETRY_POLICY.maxDelayMs, {
        min: 10,
        max: day,
      }),
      retryForMs: reader.int('CONSUMER_RETRY_FOR_MS', DEFAULT_RETRY_POLICY.retryForMs, {
        min: 0,
        max: 30 * day,
      }),
    },
    concurrency: reader.int('CONSUMER_CONCURRENCY', 8, { min: 1, max: 256 }),
    outboxRelayIntervalMs: reader.int('OUTBOX_RELAY_INTERVAL_MS', 5000, { min: 100, max: 600_000 }),
    parkedReplayIntervalMs: reader.int('PARKED_REPLAY_INTERVAL_MS', 5 * 60 * 1000, {
      min: 100,
      max: day,
    }),
    parkedRetentionMs: readRetentionDays(reader, 'PARKED_RETENTION_DAYS', 30),
    handledRetentionMs: readRetentionDays(reader, 'HANDLED_RETENTION_DAYS', 30),
    retentionSweepIntervalMs: reader.int('RETENTION_SWEEP_INTERVAL_MS', 60 * 60 * 1000, {
      min: 1000,
      max: day,
    }),
    trustProxy: readTrustProxy(reader),
    shutdownGraceMs: readShutdownGraceMs(reader),
  };
}

/**
 * `TRUST_PROXY`: unset or `false` believes no X-Forwarded-For (the client is the TCP peer); a
 * number is how many proxies stand in front (the client is that many addresses from the right);
 * a comma-separated list of addresses or CIDR ranges names the proxies whose header is believed.
 * `true` is refused: trusting every hop lets any client pick the address its rate limits count.
 */
export function readTrustProxy(reader: EnvReader): TrustProxy {
  const raw = reader.string('TRUST_PROXY', '').trim();
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') {
    throw new Error(
      'TRUST_PROXY: "true" would let any client choose its address; give the number of proxies in front (e.g. 1) or their addresses',
    );
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops < 1 || hops > 10) throw new Error('TRUST_PROXY: a hop count must be between 1 and 10');
    return hops;
  }
  const addresses = reader.list('TRUST_PROXY');
  for (const address of addresses) {
    const [ip, bits, extra] = address.split('/');
    const maxBits = isIP(ip ?? '') === 6 ? 128 : 32;
    const validBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    if (isIP(ip ?? '') === 0 || !validBits || extra !== undefined) {
      throw new Error(`TRUST_PROXY: "${address}" is neither a hop count nor an IP address or CIDR range`);
    }
  }
  return addresses;
}

/** A retention in whole days from `name` (1 day to 10 years), as milliseconds. */
export function readRetentionDays(reader: EnvReader, name: string, fallbackDays: number): number {
  return reader.int(name, fallbackDays, { min: 1, max: 3650 }) * DAY_MS;
}

/** `SHUTDOWN_GRACE_MS`: a stopping process exits within it, whatever still runs (default 20 s). */
export function readShutdownGraceMs(reader: EnvReader): number {
  return reader.int('SHUTDOWN_GRACE_MS', 20_000, { min: 2000, max: 600_000 });
}

/** How long handlers in flight get at shutdown: the grace period less what closing the rest takes. */
export function handlerGraceMs(shutdownGraceMs: number): number {
  return Math.max(shutdownGraceMs / 2, shutdownGraceMs - 5000);
}

/** The connections and stores every consuming service has. */
export interface ServiceInfra {
  nats: NatsHandle;
  db: Connection;
  /** For message handlers: publishes before the message is acknowledged (see DirectEmitter). */
  events: EventEmitter;
  /** For events no message drives (operators' requests, background workers). */
  outbox: Outbox;
  parked: ParkedStore;
  /** What each consumer did with each message, for operators (see HandledLog). */
  handled: HandledLog;
  /** The process's metrics (one registry per service instance; see Metrics). */
  metrics: Metrics;
  /** JetStream's view of the service's consumers and the streams they read (see JetStreamState). */
  jetstream: JetStreamState;
}

/**
 * Connects to NATS and the service's own database, declares the stream it publishes to and its
 * durable consumers (and the streams they read) from the contracts, and prepares the outbox and
 * the parked-message store. Models must be registered on `db` (by `registerModels`) before
 * indexes are created. With `wait`, each step is retried until it succeeds (see untilReady), and
 * `waiting` is told what is waited for.
 */
export async function connectServiceInfra(options: {
  service: string;
  config: CommonConfig;
  logger: Logger;
  consumers: readonly ConsumerDefinition[];
  registerModels: (db: Connection) => void;
  wait?: { waiting: (what: string) => void; stopped: () => boolean };
}): Promise<ServiceInfra> {
  const { config, logger, wait } = options;
  const step = <T>(what: string, run: () => Promise<T>): Promise<T> => {
    if (!wait) return run();
    wait.waiting(what);
    return untilReady(what, run, logger, { stopped: wait.stopped });
  };
  const nats = await step('NATS', () =>
    connectNats(config.natsUrl, options.service, logger, undefined, config.natsTls),
  );
  const db = await step('the database', () => connectMongo(config.mongo, logger));
  const ownStream = STREAM_OWNED_BY[options.service];
  await step('JetStream', async () => {
    if (ownStream) await declareStreams(nats.jsm, [ownStream]);
    await declareConsumers(nats.jsm, options.consumers);
  });
  // The largest event: the service's own stream's limit, or the server's, whichever is smaller.
  const maxBytes = Math.min(ownStream?.maxMsgBytes ?? Infinity, nats.nc.info?.max_payload ?? 1024 * 1024);
  const metrics = new Metrics({ service: options.service });
  const publisher = jetStreamPublisher(nats.js, maxBytes, publishObserver(metrics));
  const events = new DirectEmitter(publisher);
  const outbox = new Outbox(db, publisher, logger);
  const parked = new ParkedStore(db);
  const handled = new HandledLog(db);
  const jetstream = new JetStreamState(nats.jsm, options.consumers);
  watchServiceState(metrics, { jetstream, parked, outbox });
  options.registerModels(db);
  await step('the database indexes', () => ensureIndexes(db));
  return { nats, db, events, outbox, parked, handled, metrics, jetstream };
}

/**
 * What every consuming service deletes once it outlived its retention: replayed parked messages
 * and handled-message records. A service adds the rules of its own collections.
 */
export function infraRetentionRules(
  infra: Pick<ServiceInfra, 'parked' | 'handled'>,
  config: Pick<ConsumerServiceConfig, 'parkedRetentionMs' | 'handledRetentionMs'>,
): RetentionRule[] {
  return [
    infra.parked.retentionRule(config.parkedRetentionMs),
    infra.handled.retentionRule(config.handledRetentionMs),
  ];
}

/**
 * Checks for /readyz: NATS connected, the database connected, and every consumer consuming (its
 * durable consumer and stream exist on the server and its heartbeats arrive).
 */
export function infraReadiness(
  infra: Pick<ServiceInfra, 'nats' | 'db'>,
  consumers: () => readonly RunningConsumer[] = () => [],
): Record<string, () => boolean> {
  return {
    nats: () => infra.nats.isConnected(),
    mongo: () => isMongoReady(infra.db),
    consumers: () => consumers().every((c) => c.isConsuming()),
  };
}

/**
 * Stops pulling on every consumer, hands back the messages not started, and waits for handlers
 * in flight until handlerGraceMs; the messages of those still running are handed back too.
 */
export async function stopConsumers(
  running: readonly RunningConsumer[],
  shutdownGraceMs: number,
): Promise<void> {
  await Promise.all(running.map((r) => r.stop({ handBackAfterMs: handlerGraceMs(shutdownGraceMs) })));
}

/** The runner options that are the same for every consumer of a service. */
export function runnerDefaults(
  infra: ServiceInfra,
  config: Pick<ConsumerServiceConfig, 'retry' | 'concurrency'>,
  logger: Logger,
): Pick<
  RunnerOptions<unknown>,
  'js' | 'logger' | 'park' | 'retry' | 'concurrency' | 'redeclare' | 'metrics' | 'recordHandled'
> {
  return {
    js: infra.nats.js,
    metrics: infra.metrics,
    logger,
    park: (message) => infra.parked.park(message),
    recordHandled: (entry) => infra.handled.record(entry),
    retry: config.retry,
    concurrency: config.concurrency,
    redeclare: (consumer) => declareConsumers(infra.nats.jsm, [consumer]),
  };
}

/** What a consuming service's composition root (`app.ts`) returns. */
export interface ConsumerService {
  http: HttpApp;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The process around a consuming service: config, logger, connections, start, listen, and a
 * graceful shutdown (stop accepting requests, finish handlers in flight, drain NATS, close the
 * database). A bad variable exits 1 with a message; a dependency that is down is waited for,
 * with the port answering /healthz (200) and /readyz (503) meanwhile.
 */
export async function runConsumerService<C extends ConsumerServiceConfig>(options: {
  service: string;
  version: string;
  loadConfig: () => C;
  consumers: readonly ConsumerDefinition[];
  registerModels: (db: Connection) => void;
  build: (deps: { config: C; logger: Logger; infra: ServiceInfra }) => Promise<ConsumerService>;
  /** See LoggerOptions.redactUrl. */
  redactUrl?: (url: string) => string;
}): Promise<void> {
  let logger: Logger | undefined;
  try {
    const config = options.loadConfig();
    const tracing = startTracing(options.service, options.version);
    logger = createLogger({
      service: options.service,
      version: options.version,
      level: config.logLevel,
      redactUrl: options.redactUrl,
    });
    let waitingFor = 'NATS';
    let stopping = false;
    const startup = await startStartupServer(config.port, config.host, () => waitingFor);
    // Until the service runs, a stop signal only has the startup server to close.
    let shutdown = async () => {
      stopping = true;
      await startup.close();
    };
    onShutdownSignal(logger, () => shutdown(), config.shutdownGraceMs);
    const infra = await connectServiceInfra({
      ...options,
      config,
      logger,
      wait: { waiting: (what) => (waitingFor = what), stopped: () => stopping },
    });
    const service = await options.build({ config, logger, infra });
    shutdown = async () => {
      await service.http.close();
      await service.stop();
      await infra.nats.close();
      await infra.db.close();
      await tracing?.shutdown();
    };
    await service.start();
    await startup.close();
    await service.http.listen({ port: config.port, host: config.host });
  } catch (err) {
    exitOnStartupError(logger, err);
  }
}
