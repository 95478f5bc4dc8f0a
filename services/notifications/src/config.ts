import path from 'node:path';
import { LICENSING_EVENTS_STREAM, ORDERS_EVENTS_STREAM } from '@billing/contracts';
import {
  ConfigError,
  EnvReader,
  readConsumerServiceConfig,
  readRetentionDays,
  type ConsumerServiceConfig,
} from '@billing/runtime';
import type { RetentionConfig } from './db/retention';
import { parseSecretKeys, type SecretKey } from './db/secret-box';
import { isLoopbackHost } from './email/smtp-url';

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
  /**
   * `SMTP_REQUIRE_TLS`: an `smtp://` server must upgrade with STARTTLS or nothing is sent (so a
   * man in the middle cannot strip it). Defaults to true unless the host is loopback.
   */
  smtpRequireTls: boolean;
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

export interface SecretsConfig {
  /**
   * `SECRETS_ENCRYPTION_KEYS`: the first encrypts what is stored from now on, every one decrypts
   * (rotation). Empty: secrets are stored as they are (refused when NODE_ENV=production).
   */
  encryptionKeys: readonly SecretKey[];
}

export interface NotificationsConfig extends ConsumerServiceConfig {
  email: EmailConfig;
  webhooks: WebhookConfig;
  secrets: SecretsConfig;
  retention: RetentionConfig;
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
  const smtpUrl = reader.url('SMTP_URL', 'smtp://127.0.0.1:1025', ['smtp:', 'smtps:']);
  return {
    smtpUrl,
    smtpRequireTls: reader.bool('SMTP_REQUIRE_TLS', !isLoopbackHost(new URL(smtpUrl).hostname)),
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

function readSecrets(reader: EnvReader): SecretsConfig {
  const name = 'SECRETS_ENCRYPTION_KEYS';
  const value = reader.raw(name);
  if (value === undefined) {
    if (reader.raw('NODE_ENV') === 'production') {
      throw new ConfigError(name, 'is required when NODE_ENV=production (keyId:base64 of 32 bytes)');
    }
    return { encryptionKeys: [] };
  }
  try {
    return { encryptionKeys: parseSecretKeys(value) };
  } catch (err) {
    throw new ConfigError(name, (err as Error).message);
  }
}

/**
 * `WEBHOOK_RETENTION_DAYS` and `EMAIL_RETENTION_DAYS` (45 days each). A record deleted while the
 * message that caused it can still be delivered again would let that message send a second email
 * or webhook: each must outlast the streams notifications reads (30 days).
 */
function readRetention(reader: EnvReader): RetentionConfig {
  const longestStreamMs = Math.max(ORDERS_EVENTS_STREAM.maxAgeMs, LICENSING_EVENTS_STREAM.maxAgeMs);
  const read = (name: string) => {
    const ms = readRetentionDays(reader, name, 45);
    if (ms <= longestStreamMs) {
      throw new ConfigError(
        name,
        `must be longer than the ${longestStreamMs / DAY} days the streams keep messages, or a redelivered one could send twice`,
      );
    }
    return ms;
  };
  return { webhooksMs: read('WEBHOOK_RETENTION_DAYS'), emailsMs: read('EMAIL_RETENTION_DAYS') };
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
): Readonly<NotificationsConfig> {
  const reader = new EnvReader(env);
  return Object.freeze({
    ...readConsumerServiceConfig(reader, 'notifications', 3004),
    email: Object.freeze(readEmail(reader)),
    webhooks: Object.freeze(readWebhooks(reader)),
    secrets: Object.freeze(readSecrets(reader)),
    retention: Object.freeze(readRetention(reader)),
  });
}
