import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Static, TSchema } from '@sinclair/typebox';
import { jetstream } from '@nats-io/jetstream';
import {
  NOTIFICATIONS_LICENSING_CONSUMER,
  NOTIFICATIONS_ORDERS_CONSUMER,
  makeEnvelope,
  type EnvelopeInput,
  type EventDefinition,
  type TypedEnvelope,
} from '@billing/contracts';
import { connectServiceInfra, createLogger, publishWithId, type ServiceInfra } from '@billing/runtime';
import {
  connectTestNats,
  resetStreams,
  startSmtpServer,
  testEnv,
  uniqueDbName,
  type TestNats,
  type TestSmtpServer,
  QueryRecorder,
} from '@billing/testkit';
import { buildNotificationsService, type NotificationsService } from '../../src/app';
import { loadConfig, type NotificationsConfig } from '../../src/config';
import { registerModels } from '../../src/db/models';
import type { Resolve } from '../../src/webhooks/http-delivery';

/** A parsed JSON answer; tests read it field by field and assert on the values. */
export type Json = ReturnType<typeof JSON.parse>;

export const ADMIN_TOKEN = 'notifications-test-admin-token-0123456789';

/** The key webhook secrets are encrypted with in these tests (`SECRETS_ENCRYPTION_KEYS`). */
export const TEST_SECRETS_KEY = `k1:${Buffer.alloc(32, 1).toString('base64')}`;

/** Our durable consumers exactly as declared in the contracts. */
const TEST_CONSUMERS = [NOTIFICATIONS_ORDERS_CONSUMER, NOTIFICATIONS_LICENSING_CONSUMER];

export interface Harness {
  config: Readonly<NotificationsConfig>;
  infra: ServiceInfra;
  service: NotificationsService;
  smtp: TestSmtpServer;
  nats: TestNats;
  /** Publishes a domain event as its service would: subject `<type>.v<version>`, msgID = envelope id. */
  publish<S extends TSchema>(
    definition: EventDefinition<S>,
    input: EnvelopeInput<Static<S>>,
  ): Promise<TypedEnvelope<Static<S>>>;
  /** Publishes an envelope again under another NATS msgID, as a republish after the duplicate window would. */
  republish(envelope: TypedEnvelope<unknown>, suffix: string): Promise<void>;
  /** Calls the HTTP API with the admin token. */
  api(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json }>;
  /** True when both consumers have nothing pending or unacknowledged. */
  drained(): Promise<boolean>;
  /**
   * Stops the service and starts a new one on the same database and streams, its configuration
   * read again with `env` added (as after a redeploy); `service` and `api` then use the new one.
   */
  restart(env: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/**
 * One notifications service in this process against the run's NATS and store, its own database,
 * a real SMTP server, and every delay compressed. Streams are reset first, so each test file starts
 * from empty streams and consumers.
 */
export async function startHarness(
  options: {
    env?: Record<string, string>;
    resolve?: Resolve;
    /** Puts these credentials into SMTP_URL. */
    smtpAuth?: { user: string; pass: string };
    /** Collects every log line (level debug) instead of discarding them. */
    logs?: string[];
  } = {},
): Promise<Harness> {
  const { natsUrl, mongoUrl } = testEnv();
  const nats = await connectTestNats(natsUrl);
  await resetStreams(nats.jsm);
  const smtp = await startSmtpServer();
  const dbUrl = new URL(mongoUrl);
  dbUrl.pathname = `/${uniqueDbName('notifications')}`;
  const smtpUrl = new URL(smtp.url);
  if (options.smtpAuth) {
    smtpUrl.username = encodeURIComponent(options.smtpAuth.user);
    smtpUrl.password = encodeURIComponent(options.smtpAuth.pass);
  }
  const env = {
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    NATS_URL: natsUrl,
    NOTIFICATIONS_MONGO_URL: dbUrl.toString(),
    SMTP_URL: smtpUrl.toString(),
    SMTP_TIMEOUT_MS: '2000',
    EMAIL_FROM: 'Acme Billing <billing@acme.example>',
    BRAND_NAME: 'Acme',
    SUPPORT_EMAIL: 'support@acme.example',
    ACCOUNT_URL: 'https://acme.example/account',
    CONSUMER_RETRY_BASE_MS: '50',
    CONSUMER_RETRY_MAX_DELAY_MS: '300',
    CONSUMER_RETRY_FOR_MS: '5000',
    OUTBOX_RELAY_INTERVAL_MS: '200',
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_RETRY_SCHEDULE_MS: '0,100,200,400,800,1600',
    WEBHOOK_POLL_INTERVAL_MS: '50',
    WEBHOOK_DISABLE_AFTER_MS: '1200',
    OUTBOUND_ALLOW_PRIVATE: 'true',
    SECRETS_ENCRYPTION_KEYS: TEST_SECRETS_KEY,
    ...options.env,
  };
  let config = loadConfig(env);
  const logs = options.logs;
  const logger = createLogger({
    service: 'notifications-test',
    version: 'test',
    level: logs ? 'debug' : ((process.env.TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent'),
    ...(logs ? { destination: { write: (line: string) => void logs.push(line) } } : {}),
  });
  const infra = await connectServiceInfra({
    service: 'notifications',
    config,
    logger,
    consumers: TEST_CONSUMERS,
    registerModels,
  });
  // Every query the service runs, checked for index use when the harness closes.
  const queries = new QueryRecorder();
  queries.watch(infra.db);
  const startService = async () => {
    const started = await buildNotificationsService({ config, logger, infra, resolve: options.resolve });
    await started.http.ready();
    await started.start();
    return started;
  };
  let service = await startService();
  const js = jetstream(nats.nc);

  return {
    get config() {
      return config;
    },
    infra,
    get service() {
      return service;
    },
    smtp,
    nats,
    async publish(definition, input) {
      const envelope = makeEnvelope(definition, input);
      await publishWithId(js, definition.subject, JSON.stringify(envelope), envelope.id);
      return envelope;
    },
    async republish(envelope, suffix) {
      const subject = `${envelope.type}.v${envelope.version}`;
      await publishWithId(js, subject, JSON.stringify(envelope), `${envelope.id}#${suffix}`);
    },
    async api(method, url, body) {
      const res = await service.http.inject({
        method,
        url,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    },
    async drained() {
      for (const def of [NOTIFICATIONS_ORDERS_CONSUMER, NOTIFICATIONS_LICENSING_CONSUMER]) {
        const info = await nats.jsm.consumers.info(def.stream.name, def.durable);
        if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
      }
      return true;
    },
    async restart(extra) {
      await service.http.close();
      await service.stop();
      config = loadConfig({ ...env, ...extra });
      service = await startService();
    },
    async close() {
      await service.http.close();
      await service.stop();
      // The endpoints (with their secrets and health) are few, operators register them, and every
      // replica holds them whole by design.
      const failure = await queries
        .expectIndexed(infra.db, ['webhook_endpoints', 'webhook_endpoint_secrets', 'webhook_endpoint_health'])
        .catch((err: unknown) => err);
      await infra.db.dropDatabase().catch(() => undefined);
      await infra.nats.close();
      await infra.db.close();
      await smtp.close();
      await nats.close();
      if (failure) throw failure;
    },
  };
}

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  requests: ReceivedWebhook[];
  /** Decides the answer to each request (default 204). */
  respond: (
    req: ReceivedWebhook,
    index: number,
  ) => { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };
  close(): Promise<void>;
}

/** A real HTTP server on loopback that records every webhook POSTed to it. */
export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    requests: [],
    respond: () => ({ status: 204 }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      );
      const received = {
        path: req.url ?? '',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      const index = receiver.requests.push(received) - 1;
      const answer = receiver.respond(received, index);
      setTimeout(() => {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body ?? '');
      }, answer.delayMs ?? 0);
    });
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = receiver.close;
  receiver.close = async () => {
    server.closeAllConnections();
    await close();
  };
  return receiver;
}
