import type { Connection } from 'mongoose';
import {
  STREAM_OWNED_BY,
  declareConsumers,
  declareStreams,
  type ConsumerDefinition,
} from '@billing/contracts';
import { EnvReader, readCommonConfig, type CommonConfig } from './config';
import type { HttpApp } from './http';
import { exitOnStartupError, onShutdownSignal } from './lifecycle';
import { createLogger, type Logger } from './logger';
import { connectMongo, ensureIndexes, isMongoReady } from './mongo';
import { connectNats, type NatsHandle } from './nats';
import { DirectEmitter, type EventEmitter } from './events';
import { Outbox } from './outbox';
import { ParkedStore } from './parked';
import { jetStreamPublisher } from './publisher';
import type { RunnerOptions, RunningConsumer } from './runner';

/** Settings shared by the three consuming services (orders, licensing, notifications). */
export interface ConsumerServiceConfig extends CommonConfig {
  port: number;
  host: string;
  adminToken: string;
  /** Delays between retries of a message that cannot be applied yet; then it is parked. */
  retryDelaysMs: readonly number[];
  concurrency: number;
  outboxRelayIntervalMs: number;
  /** Trust X-Forwarded-For for the client address (only behind a proxy that sets it). */
  trustProxy: boolean;
}

export const DEFAULT_RETRY_DELAYS_MS = [1000, 5000, 15_000, 30_000, 60_000, 120_000, 300_000];

export function readConsumerServiceConfig(
  reader: EnvReader,
  service: string,
  defaultPort: number,
): ConsumerServiceConfig {
  const adminToken = reader.string('ADMIN_API_TOKEN');
  if (adminToken.length < 16) throw new Error('ADMIN_API_TOKEN: must be at least 16 characters');
  return {
    ...readCommonConfig(reader, service),
    port: reader.port(`${service.toUpperCase()}_PORT`, defaultPort),
    host: reader.string(`${service.toUpperCase()}_HOST`, '0.0.0.0'),
    adminToken,
    retryDelaysMs: reader.intList('CONSUMER_RETRY_DELAYS_MS', DEFAULT_RETRY_DELAYS_MS),
    concurrency: reader.int('CONSUMER_CONCURRENCY', 8, { min: 1, max: 256 }),
    outboxRelayIntervalMs: reader.int('OUTBOX_RELAY_INTERVAL_MS', 5000, { min: 100, max: 600_000 }),
    trustProxy: reader.bool('TRUST_PROXY', false),
  };
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
}

/**
 * Connects to NATS and the service's own database, declares the stream it publishes to and its
 * durable consumers (and the streams they read) from the contracts, and prepares the outbox and the parked-message store.
 * Models must be registered on `db` (by `registerModels`) before indexes are created.
 */
export async function connectServiceInfra(options: {
  service: string;
  config: CommonConfig;
  logger: Logger;
  consumers: readonly ConsumerDefinition[];
  registerModels: (db: Connection) => void;
}): Promise<ServiceInfra> {
  const nats = await connectNats(options.config.natsUrl, options.service, options.logger);
  const db = await connectMongo(options.config.mongo, options.logger);
  const ownStream = STREAM_OWNED_BY[options.service];
  if (ownStream) await declareStreams(nats.jsm, [ownStream]);
  await declareConsumers(nats.jsm, options.consumers);
  const publisher = jetStreamPublisher(nats.js);
  const events = new DirectEmitter(publisher);
  const outbox = new Outbox(db, publisher, options.logger);
  const parked = new ParkedStore(db);
  options.registerModels(db);
  await ensureIndexes(db);
  return { nats, db, events, outbox, parked };
}

export function infraReadiness(infra: Pick<ServiceInfra, 'nats' | 'db'>): Record<string, () => boolean> {
  return { nats: () => infra.nats.isConnected(), mongo: () => isMongoReady(infra.db) };
}

/** Stops pulling on every consumer and waits for their handlers in flight. */
export async function stopConsumers(running: readonly RunningConsumer[]): Promise<void> {
  await Promise.all(running.map((r) => r.stop()));
}

/** The runner options that are the same for every consumer of a service. */
export function runnerDefaults(
  infra: ServiceInfra,
  config: Pick<ConsumerServiceConfig, 'retryDelaysMs' | 'concurrency'>,
  logger: Logger,
): Pick<RunnerOptions<unknown>, 'js' | 'logger' | 'park' | 'retryDelaysMs' | 'concurrency'> {
  return {
    js: infra.nats.js,
    logger,
    park: (message) => infra.parked.park(message),
    retryDelaysMs: config.retryDelaysMs,
    concurrency: config.concurrency,
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
 * database). A bad variable or an unreachable dependency exits 1 with a message.
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
    logger = createLogger({
      service: options.service,
      version: options.version,
      level: config.logLevel,
      redactUrl: options.redactUrl,
    });
    const infra = await connectServiceInfra({ ...options, config, logger });
    const service = await options.build({ config, logger, infra });
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
