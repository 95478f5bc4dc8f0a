import { EnvReader, readCommonConfig, type LogLevel } from '@billing/runtime';

export interface GatewayConfig {
  port: number;
  host: string;
  natsUrl: string;
  logLevel: LogLevel;
  /** Every secret that may sign a webhook; several while a secret is being rolled. */
  webhookSecrets: readonly string[];
  toleranceSeconds: number;
  maxBodyBytes: number;
  /** How long to wait for JetStream's PubAck before answering 503. */
  publishTimeoutMs: number;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<GatewayConfig> {
  const reader = new EnvReader(env);
  const common = readCommonConfig(reader, 'gateway');
  const webhookSecrets = reader.list('STRIPE_WEBHOOK_SECRET');
  if (webhookSecrets.length === 0) {
    throw new Error('STRIPE_WEBHOOK_SECRET: is required (comma-separate several while rolling a secret)');
  }
  for (const secret of webhookSecrets) {
    if (!secret.startsWith('whsec_'))
      throw new Error('STRIPE_WEBHOOK_SECRET: each secret must start with whsec_');
  }
  return Object.freeze({
    port: reader.port('GATEWAY_PORT', 3001),
    host: reader.string('GATEWAY_HOST', '0.0.0.0'),
    natsUrl: common.natsUrl,
    logLevel: common.logLevel,
    webhookSecrets: Object.freeze(webhookSecrets),
    toleranceSeconds: reader.int('STRIPE_WEBHOOK_TOLERANCE_SECONDS', 300, { min: 1, max: 86_400 }),
    maxBodyBytes: reader.int('STRIPE_WEBHOOK_MAX_BODY_BYTES', 1024 * 1024, {
      min: 1024,
      max: 16 * 1024 * 1024,
    }),
    publishTimeoutMs: reader.int('GATEWAY_PUBLISH_TIMEOUT_MS', 5000, { min: 100, max: 60_000 }),
  });
}
