import { generateKeyPairSync } from 'node:crypto';
import {
  LICENSING_EVENTS_STREAM,
  LICENSING_ORDERS_CONSUMER,
  LICENSING_STRIPE_CONSUMER,
} from '@billing/contracts';
import { connectServiceInfra, createLogger, type ServiceInfra } from '@billing/runtime';
import { ServiceTestContext, useServiceContext, type Started, type StreamReader } from '@billing/testkit';
import { buildLicensingService, type LicensingService } from '../../src/app';
import { loadConfig, type LicensingConfig } from '../../src/config';
import { registerModels } from '../../src/db/models';
import { loadSigner } from '../../src/signing';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const adminHeaders = { authorization: `Bearer ${ADMIN_TOKEN}` };

const CONSUMERS = [LICENSING_STRIPE_CONSUMER, LICENSING_ORDERS_CONSUMER];

/**
 * The licensing service with retry delays compressed to fractions of a second and a generated
 * signing key; `env` adds to (or overrides) its configuration.
 */
export class LicensingContext extends ServiceTestContext<LicensingService, ServiceInfra> {
  config!: Readonly<LicensingConfig>;

  constructor(private readonly env: Record<string, string> = {}) {
    // The outbox holds only events still to publish (rows leave once published): read whole.
    super({ name: 'licensing', consumers: CONSUMERS, adminToken: ADMIN_TOKEN, wholeReads: ['outbox'] });
  }

  protected async startService(): Promise<Started<LicensingService, ServiceInfra>> {
    this.config = loadConfig({
      NATS_URL: this.natsUrl,
      LICENSING_MONGO_URL: this.mongoUrl,
      ADMIN_API_TOKEN: ADMIN_TOKEN,
      // Long enough for an order published right after a Stripe event to be handled before the
      // Stripe event's first retry.
      CONSUMER_RETRY_BASE_MS: '500',
      CONSUMER_RETRY_MAX_DELAY_MS: '500',
      CONSUMER_RETRY_FOR_MS: '1500',
      OUTBOX_RELAY_INTERVAL_MS: '200',
      LOG_LEVEL: 'silent',
      LICENSE_SIGNING_PRIVATE_KEY: generateKeyPairSync('ed25519')
        .privateKey.export({ type: 'pkcs8', format: 'der' })
        .toString('base64'),
      ...this.env,
    });
    const logger = createLogger({
      service: 'licensing-test',
      version: 'test',
      level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent',
    });
    const config = this.config;
    const infra = await connectServiceInfra({
      service: 'licensing',
      config,
      logger,
      consumers: CONSUMERS,
      registerModels,
    });
    const service = await buildLicensingService({
      config,
      logger,
      infra,
      signer: loadSigner(config, logger),
    });
    await service.start();
    await service.http.ready();
    return { service, infra };
  }

  /** A handler acknowledges only after its events are out: settled also means an empty outbox. */
  protected override async quiet(): Promise<boolean> {
    return (await this.infra.outbox.pendingCount()) === 0;
  }

  /** The licensing domain events published so far. */
  get events(): StreamReader {
    return this.streamReader(LICENSING_EVENTS_STREAM.name);
  }
}

/** The licensing service for the suite: started before its tests, closed after them. */
export const useLicensing = (env: Record<string, string> = {}) =>
  useServiceContext(() => new LicensingContext(env));

export interface VerifyAnswer {
  valid: boolean;
  code: string;
  status: string | null;
  expiresAt: string | null;
  product: { sku: string; name: string } | null;
  tier: string | null;
}

export async function verify(h: LicensingContext, key: string, fingerprint?: string): Promise<VerifyAnswer> {
  const res = await h.service.http.inject({
    method: 'POST',
    url: '/licenses/verify',
    payload: fingerprint ? { key, fingerprint } : { key },
  });
  if (res.statusCode !== 200) throw new Error(`verify answered ${res.statusCode}: ${res.body}`);
  return res.json() as VerifyAnswer;
}

export async function entitlements(h: LicensingContext, email: string) {
  const res = await h.service.http.inject({
    method: 'GET',
    url: `/customers/${encodeURIComponent(email)}/entitlements`,
    headers: adminHeaders,
  });
  if (res.statusCode !== 200) throw new Error(`entitlements answered ${res.statusCode}: ${res.body}`);
  return res.json() as {
    tier: string;
    features: string[];
    licenses: Array<{
      key: string;
      status: string;
      tier: string | null;
      expiresAt: string | null;
      licenseId: string;
    }>;
  };
}
