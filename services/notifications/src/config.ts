import path from 'node:path';
import {
  ConfigError,
  EnvReader,
  readConsumerServiceConfig,
  type ConsumerServiceConfig,
} from '@billing/runtime';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Delay before each delivery attempt of an outbound webhook: the first at once, then 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h (the schedule the Standard Webhooks / Svix ecosystem uses).
 */
export const DEFAULT_WEBHOOK_SCHEDULE_MS = [
  0,
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
];

export interface EmailConfig {
  smtpUrl: string;
  /** `From:` header, e.g. `Acme Billing <billing@acme.test>`. */
  from: string;
  replyTo: string | undefined;
  brandName: string;
  supportEmail: string;
  /** Where customers manage their subscription and payment method; shown in emails when set. */
  accountUrl: string | null;
  /** Directory whose templates replace the built-in ones file by file. */
  templateOverrideDir: string | null;
  /** Upper bound of one SMTP conversation (connect, greeting, each command). */
  smtpTimeoutMs: number;
}

export interface WebhookConfig {
  /** Per attempt: connect, send, and read the (capped) response. */
  timeoutMs: number;
  /** Delay before each attempt (index 0 = the first attempt); after the last, the message failed. */
  retryScheduleMs: readonly number[];
  /** An endpoint whose deliveries have failed for this long without a success is disabled. */
  disableAfterMs: number;
  /** How long a rotated-out secret keeps signing beside the new one. */
  secretGraceMs: number;
  /**
   * Due attempts (retries, replays, messages of a replica that died) are looked for at this
   * interval; a new message is attempted at once by the replica that stored it.
   */
  pollIntervalMs: number;
  /** The in-memory endpoint list is re-read at this interval, besides at every change notice. */
  endpointRefreshMs: number;
  /** Deliveries in flight at once in this process. */
  concurrency: number;
  /** Allow loopback, private and link-local destinations (local development and tests only). */
  allowPrivate: boolean;
}

export interface NotificationsConfig extends ConsumerServiceConfig {
  email: EmailConfig;
  webhooks: WebhookConfig;
}

/** The address inside `Name <address>` or a bare address. */
export function addressOf(mailbox: string): string {
  const match = /<([^>]+)>\s*$/.exec(mailbox);
  return (match ? match[1]! : mailbox).trim();
}

function readEmail(reader: EnvReader): EmailConfig {
  const from = reader.string('EMAIL_FROM', 'Billing <billing@example.com>');
  if (!/^[^\s@]+@[^\s@]+$/.test(addressOf(from))) {
    throw new ConfigError('EMAIL_FROM', `must be an address or "Name <address>", got "${from}"`);
  }
  const accountUrl = reader.raw('ACCOUNT_URL')
    ? reader.url('ACCOUNT_URL', undefined, ['http:', 'https:'])
    : null;
  const templateDir = reader.optionalString('NOTIFICATIONS_TEMPLATE_DIR');
  return {
    smtpUrl: reader.url('SMTP_URL', 'smtp://127.0.0.1:1025', ['smtp:', 'smtps:']),
    from,
    replyTo: reader.optionalString('EMAIL_REPLY_TO'),
    brandName: reader.string('BRAND_NAME', 'Billing'),
    supportEmail: reader.string('SUPPORT_EMAIL', addressOf(from)),
    accountUrl,
    templateOverrideDir: templateDir ? path.resolve(templateDir) : null,
    smtpTimeoutMs: reader.int('SMTP_TIMEOUT_MS', 20 * SECOND, { min: 100, max: 5 * MINUTE }),
  };
}

function readWebhooks(reader: EnvReader): WebhookConfig {
  const retryScheduleMs = reader.intList('WEBHOOK_RETRY_SCHEDULE_MS', DEFAULT_WEBHOOK_SCHEDULE_MS);
  if (retryScheduleMs.length === 0 || retryScheduleMs.length > 50) {
    throw new ConfigError('WEBHOOK_RETRY_SCHEDULE_MS', 'must list between 1 and 50 delays');
  }
  return {
    timeoutMs: reader.int('WEBHOOK_TIMEOUT_MS', 15 * SECOND, { min: 100, max: 5 * MINUTE }),
    retryScheduleMs,
    disableAfterMs: reader.int('WEBHOOK_DISABLE_AFTER_MS', 5 * DAY, { min: 0, max: 365 * DAY }),
    secretGraceMs: reader.int('WEBHOOK_SECRET_GRACE_MS', DAY, { min: 0, max: 30 * DAY }),
    pollIntervalMs: reader.int('WEBHOOK_POLL_INTERVAL_MS', SECOND, { min: 10, max: 10 * MINUTE }),
    endpointRefreshMs: reader.int('WEBHOOK_ENDPOINT_REFRESH_MS', 30 * SECOND, { min: 100, max: HOUR }),
    concurrency: reader.int('WEBHOOK_CONCURRENCY', 16, { min: 1, max: 256 }),
    allowPrivate: reader.bool('OUTBOUND_ALLOW_PRIVATE', false),
  };
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
): Readonly<NotificationsConfig> {
  const reader = new EnvReader(env);
  return Object.freeze({
    ...readConsumerServiceConfig(reader, 'notifications', 3004),
    email: Object.freeze(readEmail(reader)),
    webhooks: Object.freeze(readWebhooks(reader)),
  });
}
