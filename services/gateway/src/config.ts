import { DEFAULT_BILLING_ACCOUNT, STRIPE_EVENTS_STREAM } from '@billing/contracts';
import {
  EnvReader,
  readExtraStripeAccounts,
  readCommonConfig,
  readMetricsToken,
  readShutdownGraceMs,
  readStripeApiConfig,
  readStripeApiSettings,
  type LogLevel,
  type Logger,
  type NatsTls,
  type StripeApiConfig,
} from '@billing/runtime';

/** A Stripe account the gateway receives the webhooks of, at `/webhooks/stripe/<label>`. */
export interface GatewayAccount {
  label: string;
  webhookSecrets: readonly string[];
  thinWebhookSecrets: readonly string[];
  /** Its API (thin events, reconciliation); unset only for the default account without STRIPE_SECRET_KEY. */
  stripeApi?: StripeApiConfig;
}

export interface GatewayConfig {
  port: number;
  host: string;
  natsUrl: string;
  natsTls?: NatsTls;
  logLevel: LogLevel;
  /** Every secret that may sign a webhook; several while a secret is being rolled. */
  webhookSecrets: readonly string[];
  /**
   * The secrets of event destinations that send thin payloads (several while rolling); empty,
   * a thin event notification is refused with 400 `thin_events_not_configured`.
   */
  thinWebhookSecrets: readonly string[];
  toleranceSeconds: number;
  maxBodyBytes: number;
  /** How long to wait for JetStream's PubAck before answering 503. */
  publishTimeoutMs: number;
  /** A stopping gateway answers the requests in flight and exits within it. */
  shutdownGraceMs: number;
  /** The bearer token of `GET /metrics` besides the admin token. */
  metricsToken?: string;
  /** ADMIN_API_TOKEN: the bearer of `/admin/*`; unset, the gateway has no admin routes. */
  adminToken?: string;
  /**
   * Stripe's API, read only when STRIPE_SECRET_KEY is set: the reconciler lists events with it,
   * and the full event of a thin notification is fetched with it (without it: 503).
   */
  stripeApi?: StripeApiConfig;
  /** STRIPE_RECONCILE_INTERVAL: how often missed events are looked for; 0 = never on a schedule. */
  reconcileIntervalMs: number;
  /** STRIPE_EVENTS_MAX_AGE_DAYS: how long Stripe events stay in the stream (at least 30). */
  streamMaxAgeDays: number;
  /**
   * Every account: first the default one (the variables above), then those of STRIPE_ACCOUNTS /
   * STRIPE_ACCOUNTS_FILE, each with the API settings (URL, timeout, retries) of the default one.
   */
  accounts: readonly GatewayAccount[];
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<GatewayConfig> {
  const reader = new EnvReader(env);
  const common = readCommonConfig(reader, 'gateway');
  const webhookSecrets = reader.list('STRIPE_WEBHOOK_SECRET');
  if (webhookSecrets.length === 0) {
    throw new Error('STRIPE_WEBHOOK_SECRET: is required (comma-separate several while rolling a secret)');
  }
  const thinWebhookSecrets = reader.list('STRIPE_THIN_WEBHOOK_SECRET');
  for (const [name, secrets] of [
    ['STRIPE_WEBHOOK_SECRET', webhookSecrets],
    ['STRIPE_THIN_WEBHOOK_SECRET', thinWebhookSecrets],
  ] as const) {
    if (secrets.some((secret) => !secret.startsWith('whsec_')))
      throw new Error(`${name}: each secret must start with whsec_`);
  }
  const stripeApi = reader.raw('STRIPE_SECRET_KEY') === undefined ? undefined : readStripeApiConfig(reader);
  const apiSettings = readStripeApiSettings(reader);
  const accounts: GatewayAccount[] = [
    { label: DEFAULT_BILLING_ACCOUNT, webhookSecrets, thinWebhookSecrets, stripeApi },
    ...readExtraStripeAccounts(reader).map(({ secretKey, ...account }) => ({
      ...account,
      stripeApi: { ...apiSettings, secretKey: secretKey as string },
    })),
  ];
  return Object.freeze({
    port: reader.port('GATEWAY_PORT', 3001),
    host: reader.string('GATEWAY_HOST', '0.0.0.0'),
    natsUrl: common.natsUrl,
    natsTls: common.natsTls,
    logLevel: common.logLevel,
    webhookSecrets: Object.freeze(webhookSecrets),
    thinWebhookSecrets: Object.freeze(thinWebhookSecrets),
    toleranceSeconds: reader.int('STRIPE_WEBHOOK_TOLERANCE_SECONDS', 300, { min: 1, max: 86_400 }),
    maxBodyBytes: reader.int('STRIPE_WEBHOOK_MAX_BODY_BYTES', 1024 * 1024, {
      min: 1024,
      max: 16 * 1024 * 1024,
    }),
    publishTimeoutMs: reader.int('GATEWAY_PUBLISH_TIMEOUT_MS', 5000, { min: 100, max: 60_000 }),
    shutdownGraceMs: readShutdownGraceMs(reader),
    metricsToken: readMetricsToken(reader),
    adminToken: readOptionalAdminToken(reader),
    stripeApi,
    reconcileIntervalMs: reader.duration('STRIPE_RECONCILE_INTERVAL', 5 * 60_000, {
      min: 0,
      max: 24 * 3_600_000,
    }),
    streamMaxAgeDays: reader.int('STRIPE_EVENTS_MAX_AGE_DAYS', 35, { min: 30, max: 3650 }),
    accounts: Object.freeze(accounts),
  });
}

function readOptionalAdminToken(reader: EnvReader): string | undefined {
  const token = reader.optionalString('ADMIN_API_TOKEN');
  if (token !== undefined && token.length < 16)
    throw new Error('ADMIN_API_TOKEN: must be at least 16 characters');
  return token;
}

/** Room for the message id and the Stripe headers the gateway stores beside the body. */
const HEADER_ROOM = 4096;

/**
 * The largest body the gateway accepts: the configured limit, lowered to what NATS and the
 * stream take, so that a verified event too large to store gets 413 at once instead of a 503
 * that Stripe would retry for days.
 */
export function effectiveBodyLimit(
  configured: number,
  serverMaxPayload: number | undefined,
  logger: Pick<Logger, 'warn'>,
): number {
  const storable =
    Math.min(serverMaxPayload ?? Number.POSITIVE_INFINITY, STRIPE_EVENTS_STREAM.maxMsgBytes) - HEADER_ROOM;
  if (configured <= storable) return configured;
  logger.warn(
    { configured, storable, serverMaxPayload, streamMaxMsgBytes: STRIPE_EVENTS_STREAM.maxMsgBytes },
    'STRIPE_WEBHOOK_MAX_BODY_BYTES is larger than NATS can store: lowered',
  );
  return storable;
}
