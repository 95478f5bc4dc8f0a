import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NOTIFICATIONS_LICENSING_CONSUMER, NOTIFICATIONS_ORDERS_CONSUMER } from '@billing/contracts';
import type { Connection } from 'mongoose';
import {
  connectMongo,
  connectServiceInfra,
  createLogger,
  ensureIndexes,
  type Logger,
  type ServiceInfra,
} from '@billing/runtime';
import {
  ServiceTestContext,
  startSmtpServer,
  testEnv,
  uniqueDbName,
  useServiceContext,
  type Started,
  type TestSmtpServer,
} from '@billing/testkit';
import { buildNotificationsService, type NotificationsService } from '../../src/app';
import { loadConfig, type NotificationsConfig } from '../../src/config';
import { registerModels } from '../../src/db/models';
import type { Resolve } from '../../src/webhooks/http-delivery';

export type { Json } from '@billing/testkit';

export const ADMIN_TOKEN = 'notifications-test-admin-token-0123456789';

/** The key webhook secrets are encrypted with in these tests (`SECRETS_ENCRYPTION_KEYS`). */
export const TEST_SECRETS_KEY = `k1:${Buffer.alloc(32, 1).toString('base64')}`;

const CONSUMERS = [NOTIFICATIONS_ORDERS_CONSUMER, NOTIFICATIONS_LICENSING_CONSUMER];

export interface NotificationsSetup {
  env?: Record<string, string>;
  resolve?: Resolve;
  /** Puts these credentials into SMTP_URL. */
  smtpAuth?: { user: string; pass: string };
  /** Collects every log line (level debug) instead of discarding them. */
  logs?: string[];
}

/**
 * The notifications service with a real SMTP server, a webhook receiver on loopback, and every
 * delay compressed; `env` adds to (or overrides) its configuration.
 */
export class NotificationsContext extends ServiceTestContext<NotificationsService, ServiceInfra> {
  smtp!: TestSmtpServer;
  receiver!: Receiver;
  config!: Readonly<NotificationsConfig>;
  private env: Record<string, string> = {};
  private readonly logger: Logger;

  constructor(private readonly setup: NotificationsSetup = {}) {
    super({
      name: 'notifications',
      consumers: CONSUMERS,
      adminToken: ADMIN_TOKEN,
      // The endpoints (with their secrets and health) are few, operators register them, and every
      // replica holds them whole by design.
      wholeReads: ['webhook_endpoints', 'webhook_endpoint_secrets', 'webhook_endpoint_health'],
    });
    const logs = setup.logs;
    this.logger = createLogger({
      service: 'notifications-test',
      version: 'test',
      level: logs ? 'debug' : ((process.env.TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent'),
      ...(logs ? { destination: { write: (line: string) => void logs.push(line) } } : {}),
    });
  }

  override async start(): Promise<this> {
    this.smtp = await startSmtpServer();
    this.receiver = await startReceiver();
    return super.start();
  }

  protected async startService(): Promise<Started<NotificationsService, ServiceInfra>> {
    const smtpUrl = new URL(this.smtp.url);
    if (this.setup.smtpAuth) {
      smtpUrl.username = encodeURIComponent(this.setup.smtpAuth.user);
      smtpUrl.password = encodeURIComponent(this.setup.smtpAuth.pass);
    }
    this.env = {
      ADMIN_API_TOKEN: ADMIN_TOKEN,
      NATS_URL: this.natsUrl,
      NOTIFICATIONS_MONGO_URL: this.mongoUrl,
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
      ...this.setup.env,
    };
    this.config = loadConfig(this.env);
    const infra = await connectServiceInfra({
      service: 'notifications',
      config: this.config,
      logger: this.logger,
      consumers: CONSUMERS,
      registerModels,
    });
    return { service: await this.buildService(infra), infra };
  }

  private async buildService(infra: ServiceInfra): Promise<NotificationsService> {
    const { config, logger } = this;
    const service = await buildNotificationsService({ config, logger, infra, resolve: this.setup.resolve });
    await service.http.ready();
    await service.start();
    return service;
  }

  /**
   * Stops the service and starts a new one on the same database and streams, its configuration
   * read again with `env` added (as after a redeploy); `service` and `api` then use the new one.
   */
  async restart(env: Record<string, string>): Promise<void> {
    const main = this.main;
    await main.service.http.close();
    await main.service.stop();
    this.config = loadConfig({ ...this.env, ...env });
    main.service = await this.buildService(main.infra);
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.receiver?.close();
      await this.smtp?.close();
    }
  }
}

/** The notifications service for the suite: started before its tests, closed after them. */
export const useNotifications = (setup: NotificationsSetup = {}) =>
  useServiceContext(() => new NotificationsContext(setup));

/** Only the service's database (models and indexes) for the suite, for repository tests: `db()` in a test. */
export function useDatabase(prefix: string): () => Connection {
  let db: Connection | undefined;
  beforeAll(async () => {
    const logger = createLogger({ service: `${prefix}-test`, version: 'test', level: 'silent' });
    db = await connectMongo({ url: testEnv().mongoUrl, dbName: uniqueDbName(prefix) }, logger);
    registerModels(db);
    await ensureIndexes(db);
  });
  afterAll(async () => {
    await db?.dropDatabase();
    await db?.close();
  });
  return () => {
    if (!db) throw new Error('the database connects in beforeAll');
    return db;
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
