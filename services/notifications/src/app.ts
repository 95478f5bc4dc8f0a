import {
  ENDPOINT_DISABLED_V1,
  LICENSING_EVENTS,
  NOTIFICATIONS_LICENSING_CONSUMER,
  NOTIFICATIONS_ORDERS_CONSUMER,
  ORDERS_EVENTS,
} from '@billing/contracts';
import {
  createHttpApp,
  envelopeCodec,
  infraReadiness,
  infraRetentionRules,
  outboxEvent,
  registerOpenApiRoute,
  registerOperatorRoutes,
  replayRoute,
  requireBearer,
  RetentionSweeper,
  runnerDefaults,
  startConsumer,
  stopConsumers,
  type HttpApp,
  type Logger,
  type RunningConsumer,
  type ServiceInfra,
} from '@billing/runtime';
import type { NotificationsConfig } from './config';
import { CustomerActivityRepository } from './db/customer-activity.repository';
import { NotificationsErasure } from './db/customer-erasure.repository';
import { DeliveryAttemptRepository } from './db/delivery-attempt.repository';
import { EmailSendRepository } from './db/email-send.repository';
import { OrderSnapshotRepository } from './db/order-snapshot.repository';
import { notificationRetentionRules } from './db/retention';
import { WebhookEndpointRepository } from './db/webhook-endpoint.repository';
import { WebhookMessageRepository } from './db/webhook-message.repository';
import { SecretBox } from './db/secret-box';
import { EmailSender } from './email/email-sender';
import { createSmtpMailer, type Mailer } from './email/smtp-mailer';
import { redactSmtpUrl } from './email/smtp-url';
import { TemplateRenderer } from './email/templates';
import { eventHandlers } from './handlers';
import { countingEmails, webhookMetrics } from './metrics';
import { BUILT_IN_TEMPLATE_DIR } from './paths';
import { registerEndpointRoutes } from './routes/endpoints.routes';
import { registerMessageRoutes } from './routes/messages.routes';
import { registerCustomerActivityRoutes } from './routes/customer-activity.routes';
import { DeliveryWorker, type EndpointDisabledNotice } from './webhooks/delivery-worker';
import { EndpointDirectory } from './webhooks/endpoint-directory';
import { WebhookDispatcher } from './webhooks/dispatcher';
import { createHttpDelivery, type Resolve } from './webhooks/http-delivery';
import { redactUrl } from './webhooks/url-safety';

export interface NotificationsDeps {
  config: Pick<
    NotificationsConfig,
    | 'adminToken'
    | 'metricsToken'
    | 'retry'
    | 'concurrency'
    | 'outboxRelayIntervalMs'
    | 'parkedReplayIntervalMs'
    | 'parkedRetentionMs'
    | 'handledRetentionMs'
    | 'retentionSweepIntervalMs'
    | 'shutdownGraceMs'
    | 'email'
    | 'webhooks'
    | 'secrets'
    | 'retention'
  >;
  logger: Logger;
  infra: ServiceInfra;
  /** Defaults to SMTP at `config.email.smtpUrl`. */
  mailer?: Mailer;
  /** Name resolution for outbound webhooks; defaults to the system resolver. */
  resolve?: Resolve;
  /** The version the OpenAPI document states. */
  version?: string;
}

export interface NotificationsService {
  http: HttpApp;
  /** Starts consuming, delivering webhooks and relaying the outbox. */
  start(): Promise<void>;
  /** Stops consuming and delivering (waiting for work in flight) and the relay. */
  stop(): Promise<void>;
}

/** Domain events this service consumes, for decoding and validation. */
const CONSUMED_EVENTS = [...ORDERS_EVENTS, ...LICENSING_EVENTS];

export async function buildNotificationsService(deps: NotificationsDeps): Promise<NotificationsService> {
  const { config, logger, infra } = deps;
  const renderer = new TemplateRenderer({
    builtInDir: BUILT_IN_TEMPLATE_DIR,
    overrideDir: config.email.templateOverrideDir,
  });
  // A broken template (an override with a typo) stops the start instead of the first email.
  renderer.verifyAll();

  const secretBox = new SecretBox(config.secrets.encryptionKeys);
  if (!secretBox.encrypts) {
    logger.warn('SECRETS_ENCRYPTION_KEYS is not set: webhook signing secrets are stored unencrypted');
  }
  const endpoints = new WebhookEndpointRepository(infra.db, secretBox);
  const messages = new WebhookMessageRepository(infra.db);
  const attempts = new DeliveryAttemptRepository(infra.db);
  const orders = new OrderSnapshotRepository(infra.db);
  const mailer =
    deps.mailer ??
    createSmtpMailer({
      smtpUrl: config.email.smtpUrl,
      timeoutMs: config.email.smtpTimeoutMs,
      requireTls: config.email.smtpRequireTls,
    });
  // The URL may carry the SMTP password: only ever logged through redactSmtpUrl.
  logger.info(
    { smtp: redactSmtpUrl(config.email.smtpUrl), requireTls: config.email.smtpRequireTls },
    'smtp configured',
  );

  const notifyDisabled = async (notice: EndpointDisabledNotice) => {
    try {
      await infra.outbox.emit([
        outboxEvent(ENDPOINT_DISABLED_V1, {
          id: `${ENDPOINT_DISABLED_V1.type}:${notice.endpoint._id}:${notice.failingSince.getTime()}`,
          correlationId: notice.endpoint._id,
          causationId: notice.messageId,
          payload: {
            endpointId: notice.endpoint._id,
            url: redactUrl(notice.endpoint.url),
            failingSince: notice.failingSince.toISOString(),
            disabledAt: notice.disabledAt.toISOString(),
            lastError: notice.lastError?.slice(0, 500) ?? null,
          },
        }),
      ]);
    } catch (err) {
      // Stored but not published: the outbox relay publishes it later.
      logger.warn({ err, endpointId: notice.endpoint._id }, 'endpoint disabled event not published yet');
    }
  };
  const directory = new EndpointDirectory({
    repository: endpoints,
    nats: infra.nats.nc,
    logger,
    refreshMs: config.webhooks.endpointRefreshMs,
  });
  const webhookHttp = createHttpDelivery({
    allowPrivate: config.webhooks.allowPrivate,
    resolve: deps.resolve,
  });
  const worker = new DeliveryWorker(
    {
      messages,
      attempts,
      endpoints,
      directory,
      deliver: webhookHttp.deliver,
      secrets: secretBox,
      notifyDisabled,
      logger,
      metrics: webhookMetrics(infra.metrics, directory),
    },
    config.webhooks,
  );
  const dispatcher = new WebhookDispatcher({
    endpoints: directory,
    messages,
    now: () => new Date(),
    holdMs: worker.firstAttemptHoldMs,
    onQueued: (queued) => worker.enqueue(queued),
  });
  const sender = new EmailSender({
    ledger: new EmailSendRepository(infra.db),
    renderer,
    mailer,
    config: config.email,
    logger,
  });
  const emails = countingEmails(infra.metrics, sender);
  const handlers = eventHandlers({
    emails,
    webhooks: dispatcher,
    orders,
    erasure: new NotificationsErasure(infra.db),
  });
  const codec = envelopeCodec(CONSUMED_EVENTS);

  let running: RunningConsumer[] = [];
  const http = createHttpApp({
    logger,
    readiness: infraReadiness(infra, () => running),
    metrics: { metrics: infra.metrics, tokens: [config.adminToken, config.metricsToken] },
    openapi: {
      title: 'Notifications service',
      version: deps.version ?? '0.1.0',
      description:
        'Customer emails and signed, retried, replayable outbound webhooks: endpoints, messages, ' +
        'delivery attempts, replays, parked messages.',
      bearerToken: 'ADMIN_API_TOKEN',
    },
  });
  await http.after(); // the OpenAPI collector has loaded: the routes below are described
  const auth = requireBearer(config.adminToken);
  const wakeDelivery = () => worker.wake();
  // Both consumers decode envelopes with the same codec into the same handlers.
  const route = replayRoute(codec, handlers);
  // Parked messages, the handled-message log, consumer lag.
  const replayer = registerOperatorRoutes(http, {
    infra,
    routes: {
      [NOTIFICATIONS_ORDERS_CONSUMER.durable]: route,
      [NOTIFICATIONS_LICENSING_CONSUMER.durable]: route,
    },
    auth,
    logger,
  });
  const retention = new RetentionSweeper({
    rules: [...infraRetentionRules(infra, config), ...notificationRetentionRules(infra.db, config.retention)],
    logger,
  });
  registerEndpointRoutes(http, {
    endpoints,
    messages,
    attempts,
    wakeDelivery,
    endpointsChanged: () => directory.changed(),
    auth,
    allowPrivate: config.webhooks.allowPrivate,
    secretGraceMs: config.webhooks.secretGraceMs,
  });
  registerMessageRoutes(http, { endpoints, messages, attempts, wakeDelivery, auth });
  registerCustomerActivityRoutes(http, { activity: new CustomerActivityRepository(infra.db), auth });
  registerOpenApiRoute(http, auth);

  return {
    http,
    async start() {
      await directory.start();
      const common = { ...runnerDefaults(infra, config, logger), codec, handlers };
      running = [
        await startConsumer({ ...common, consumer: NOTIFICATIONS_ORDERS_CONSUMER }),
        await startConsumer({ ...common, consumer: NOTIFICATIONS_LICENSING_CONSUMER }),
      ];
      worker.start();
      infra.outbox.startRelay(config.outboxRelayIntervalMs);
      replayer.start(config.parkedReplayIntervalMs);
      retention.start(config.retentionSweepIntervalMs);
    },
    async stop() {
      await stopConsumers(running, config.shutdownGraceMs);
      await worker.stop();
      await replayer.stop();
      await retention.stop();
      webhookHttp.close();
      directory.stop();
      await infra.outbox.stopRelay();
      mailer.close();
    },
  };
}
