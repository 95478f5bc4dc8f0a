import { generateKeyPairSync } from 'node:crypto';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { Static, TSchema } from '@sinclair/typebox';
import {
  LICENSING_EVENTS_STREAM,
  LICENSING_ORDERS_CONSUMER,
  LICENSING_STRIPE_CONSUMER,
  makeEnvelope,
  stripeEventSubject,
  type EventDefinition,
  type EventEnvelopeV1,
  type OrderLineV1,
  type OrderSnapshotV1,
} from '@billing/contracts';
import { connectServiceInfra, createLogger, type ServiceInfra } from '@billing/runtime';
import {
  connectTestNats,
  resetStreams,
  testEnv,
  uniqueDbName,
  waitFor,
  type TestNats,
  QueryRecorder,
} from '@billing/testkit';
import { buildLicensingService, type LicensingService } from '../../src/app';
import { loadConfig, type LicensingConfig } from '../../src/config';
import { registerModels } from '../../src/db/models';
import { loadSigner } from '../../src/signing';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const adminHeaders = { authorization: `Bearer ${ADMIN_TOKEN}` };

export interface Harness {
  service: LicensingService;
  infra: ServiceInfra;
  config: Readonly<LicensingConfig>;
  nats: TestNats;
  js: JetStreamClient;
  close(): Promise<void>;
}

/**
 * The licensing service against the run's NATS and Mongo-protocol store, with its own database,
 * fresh streams, retry delays compressed to fractions of a second and a generated signing key.
 */
export async function startLicensing(env: Record<string, string> = {}): Promise<Harness> {
  const { natsUrl, mongoUrl } = testEnv();
  const nats = await connectTestNats(natsUrl);
  await resetStreams(nats.jsm);
  const url = new URL(mongoUrl);
  url.pathname = `/${uniqueDbName('licensing')}`;
  const config = loadConfig({
    NATS_URL: natsUrl,
    LICENSING_MONGO_URL: url.toString(),
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
    ...env,
  });
  const logger = createLogger({
    service: 'licensing-test',
    version: 'test',
    level: process.env.TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent',
  });
  const infra = await connectServiceInfra({
    service: 'licensing',
    config,
    logger,
    consumers: [LICENSING_STRIPE_CONSUMER, LICENSING_ORDERS_CONSUMER],
    registerModels,
  });
  // Every query the service runs, checked for index use when the harness closes.
  const queries = new QueryRecorder();
  queries.watch(infra.db);
  const service = await buildLicensingService({ config, logger, infra, signer: loadSigner(config, logger) });
  await service.start();
  await service.http.ready();
  return {
    service,
    infra,
    config,
    nats,
    js: jetstream(nats.nc),
    async close() {
      await service.http.close();
      await service.stop();
      // The outbox holds only events still to publish (rows leave once published): read whole.
      const failure = await queries.expectIndexed(infra.db, ['outbox']).catch((err: unknown) => err);
      await infra.nats.close();
      await infra.db.dropDatabase().catch(() => undefined);
      await infra.db.close();
      await nats.close();
      if (failure) throw failure;
    },
  };
}

/** Publishes a Stripe event as the gateway stores it: raw JSON under its type, msg id = event id. */
export async function publishStripe(
  js: JetStreamClient,
  event: { id: string; type: string },
  msgId: string = event.id,
): Promise<void> {
  await js.publish(stripeEventSubject(event.type), JSON.stringify(event), { msgID: msgId });
}

let sequence = 0;

/** Publishes an orders domain event as the orders service does: `<type>.v<version>`, msg id = envelope id. */
export async function publishOrders<S extends TSchema>(
  js: JetStreamClient,
  definition: EventDefinition<S>,
  id: string,
  payload: Static<S>,
  msgId: string = id,
): Promise<void> {
  const correlationId = `evt_test_${++sequence}`;
  const envelope = makeEnvelope(definition, { id, payload, correlationId, causationId: correlationId });
  await js.publish(definition.subject, JSON.stringify(envelope), { msgID: msgId });
}

/**
 * Waits until both consumers have handled (acknowledged) everything delivered to them and the
 * outbox has published everything stored: a handler acknowledges only after its events are out.
 */
export async function settled(h: Harness, timeoutMs = 20_000): Promise<void> {
  const consumers = [LICENSING_STRIPE_CONSUMER, LICENSING_ORDERS_CONSUMER];
  await waitFor(
    async () => {
      for (const c of consumers) {
        const info = await h.infra.nats.jsm.consumers.info(c.stream.name, c.durable);
        if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
      }
      return (await h.infra.outbox.pendingCount()) === 0;
    },
    { timeoutMs, what: 'licensing to settle' },
  );
}

/** Licensing domain events published so far, optionally of one subject. */
export async function licensingEvents(nats: TestNats, subject?: string): Promise<EventEnvelopeV1[]> {
  const messages = await nats.messages(LICENSING_EVENTS_STREAM.name, subject);
  return messages.map((m) => JSON.parse(Buffer.from(m.data).toString('utf8')) as EventEnvelopeV1);
}

/** Waits until a licensing event with this id was published, and returns it. */
export async function waitForEvent(nats: TestNats, id: string, timeoutMs = 10_000): Promise<EventEnvelopeV1> {
  return waitFor(async () => (await licensingEvents(nats)).find((e) => e.id === id), {
    timeoutMs,
    what: `event ${id}`,
  });
}

/** What the orders service would publish for a checkout: the order with its catalog-mapped lines. */
export function orderSnapshot(input: {
  orderId: string;
  checkoutSessionId: string;
  email: string;
  stripeCustomerId: string | null;
  mode: OrderSnapshotV1['mode'];
  subscriptionId?: string | null;
  currentPeriodEnd?: number | null;
  lines: OrderLineV1[];
}): OrderSnapshotV1 {
  const total = input.lines.reduce((sum, l) => sum + l.amountTotal, 0);
  return {
    orderId: input.orderId,
    checkoutSessionId: input.checkoutSessionId,
    status: 'confirmed',
    mode: input.mode,
    customerEmail: input.email,
    customerName: 'Ada Lovelace',
    stripeCustomerId: input.stripeCustomerId,
    cartId: null,
    metadata: {},
    subscriptionId: input.subscriptionId ?? null,
    currentPeriodEnd: input.currentPeriodEnd ? new Date(input.currentPeriodEnd * 1000).toISOString() : null,
    amountSubtotal: total,
    amountTotal: total,
    currency: 'usd',
    lines: input.lines,
    createdAt: new Date().toISOString(),
  };
}

/** A Checkout line item mapped through the catalog (sku and tier from the price metadata). */
export function orderLine(
  item: {
    id: string;
    description: string | null;
    quantity: number | null;
    amount_total: number;
    currency: string;
    price: {
      id: string;
      product: unknown;
      unit_amount: number | null;
      metadata: Record<string, string>;
    } | null;
  },
  kind: 'digital' | 'subscription' | 'physical',
): OrderLineV1 {
  const metadata = item.price?.metadata ?? {};
  return {
    lineId: item.id,
    stripePriceId: item.price?.id ?? null,
    stripeProductId: typeof item.price?.product === 'string' ? item.price.product : null,
    description: item.description ?? '',
    quantity: item.quantity ?? 1,
    unitAmount: item.price?.unit_amount ?? null,
    amountTotal: item.amount_total,
    currency: item.currency,
    sku: metadata.sku ?? null,
    productName: item.description,
    kind,
    tier: metadata.tier ?? null,
    downloadUrl: null,
    unmapped: !metadata.sku,
  };
}

export interface VerifyAnswer {
  valid: boolean;
  code: string;
  status: string | null;
  expiresAt: string | null;
  product: { sku: string; name: string } | null;
  tier: string | null;
}

export async function verify(h: Harness, key: string, fingerprint?: string): Promise<VerifyAnswer> {
  const res = await h.service.http.inject({
    method: 'POST',
    url: '/licenses/verify',
    payload: fingerprint ? { key, fingerprint } : { key },
  });
  if (res.statusCode !== 200) throw new Error(`verify answered ${res.statusCode}: ${res.body}`);
  return res.json() as VerifyAnswer;
}

export async function entitlements(h: Harness, email: string) {
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
