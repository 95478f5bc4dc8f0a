import { Webhook } from 'standardwebhooks';
import { createLogger } from '@billing/runtime';
import { envelopeDraft, rand, waitFor } from '@billing/testkit';
import { TIER_CHANGED_V1 } from '@billing/contracts';
import { deliveryAttemptModel } from '../../src/db/delivery-attempt.model';
import { DeliveryAttemptRepository } from '../../src/db/delivery-attempt.repository';
import { SecretBox } from '../../src/db/secret-box';
import { WebhookEndpointRepository } from '../../src/db/webhook-endpoint.repository';
import { WebhookMessageRepository } from '../../src/db/webhook-message.repository';
import { DeliveryWorker } from '../../src/webhooks/delivery-worker';
import { EndpointDirectory } from '../../src/webhooks/endpoint-directory';
import { WebhookDispatcher, outboundEvent } from '../../src/webhooks/dispatcher';
import { createHttpDelivery, type Resolve } from '../../src/webhooks/http-delivery';
import { newEndpointSecret } from '../../src/webhooks/signing';
import { useNotifications } from './harness';

jest.setTimeout(30_000);

/** Test DNS: names that resolve to loopback or to a mix of public and private addresses. */
const resolve: Resolve = async (hostname) => {
  if (hostname === 'hooks.internal.test') return [{ address: '127.0.0.1', family: 4 }];
  if (hostname === 'mixed.test') {
    return [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
  }
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

describe('webhook delivery safety and replicas', () => {
  const h = useNotifications({ env: { OUTBOUND_ALLOW_PRIVATE: 'false' }, resolve });

  it('refuses loopback, private and link-local URLs when they are not allowed', async () => {
    const port = new URL(h.receiver.url).port;
    for (const url of [
      h.receiver.url,
      `http://localhost:${port}/in`,
      `http://[::1]:${port}/in`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.1.2.3/in',
      'http://[::ffff:192.168.0.1]/in',
    ]) {
      const res = await h.api('POST', '/webhooks/endpoints', { url, events: ['*'] });
      expect({ url, status: res.status, code: res.body.error?.code }).toEqual({
        url,
        status: 400,
        code: 'unsafe_url',
      });
    }
  });

  it('checks the addresses a name resolves to at delivery time and sends nothing to a private one', async () => {
    const port = new URL(h.receiver.url).port;
    const internal = (
      await h.api('POST', '/webhooks/endpoints', {
        url: `http://hooks.internal.test:${port}/in`,
        events: ['tier.changed'],
      })
    ).body;
    const mixed = (
      await h.api('POST', '/webhooks/endpoints', {
        url: `http://mixed.test:${port}/in`,
        events: ['tier.changed'],
      })
    ).body;
    const unknown = (
      await h.api('POST', '/webhooks/endpoints', {
        url: `http://nowhere.test:${port}/in`,
        events: ['tier.changed'],
      })
    ).body;
    try {
      await h.publishEnvelope(
        TIER_CHANGED_V1,
        envelopeDraft(TIER_CHANGED_V1.type, `evt_${rand()}`, {
          customerEmail: 'x@example.com',
          stripeCustomerId: null,
          subscriptionId: null,
          previousTier: 'FREE',
          tier: 'PRO',
          features: [],
        }),
      );
      const firstAttempt = async (endpointId: string) => {
        const [message] = (await h.api('GET', `/webhooks/endpoints/${endpointId}/messages`)).body.items;
        if (!message) return undefined;
        const [attempt] = (await h.api('GET', `/webhooks/messages/${message.id}/attempts`)).body.items;
        return attempt?.status === 'in_flight' ? undefined : attempt;
      };
      expect(await waitFor(() => firstAttempt(internal.id))).toMatchObject({
        status: 'failed',
        statusCode: null,
        error: 'refused: hooks.internal.test resolves to non-public address 127.0.0.1',
      });
      expect((await waitFor(() => firstAttempt(mixed.id))).error).toBe(
        'refused: mixed.test resolves to non-public address 10.0.0.7',
      );
      expect((await waitFor(() => firstAttempt(unknown.id))).error).toBe(
        'dns: nowhere.test did not resolve (ENOTFOUND)',
      );
      expect(h.receiver.requests).toHaveLength(0);
    } finally {
      for (const e of [internal, mixed, unknown]) await h.api('DELETE', `/webhooks/endpoints/${e.id}`);
    }
  });

  it('lets two replicas share the deliveries without sending any message twice', async () => {
    // Only the two workers below deliver from here on.
    await h.service.stop();
    const db = h.infra.db;
    const box = new SecretBox(h.config.secrets.encryptionKeys);
    const endpoints = new WebhookEndpointRepository(db, box);
    const messages = new WebhookMessageRepository(db);
    const attempts = new DeliveryAttemptRepository(db);
    const secret = newEndpointSecret();
    const endpoint = await endpoints.create({
      id: `ep_${rand()}`,
      url: `${h.receiver.url}/replicas`,
      events: ['tier.changed'],
      description: '',
      secret,
      now: new Date(),
    });
    const logger = createLogger({ service: 'replica', version: 'test', level: 'silent' });
    const directory = new EndpointDirectory({
      repository: endpoints,
      nats: h.infra.nats.nc,
      logger,
      refreshMs: 60_000,
    });
    await directory.start();
    const delivery = createHttpDelivery({ allowPrivate: true });
    const replica = () =>
      new DeliveryWorker(
        {
          messages,
          attempts,
          endpoints,
          directory,
          deliver: delivery.deliver,
          secrets: box,
          notifyDisabled: async () => undefined,
          logger,
        },
        {
          retryScheduleMs: [0, 100],
          disableAfterMs: 60_000,
          pollIntervalMs: 20,
          concurrency: 4,
          timeoutMs: 1000,
        },
      );
    const workers = [replica(), replica()];
    h.receiver.respond = () => ({ status: 200, delayMs: 20 });
    // Stored as due at once, without a first attempt by the process that stored them, so that the
    // two workers find every message in the database and share them.
    const dispatcher = new WebhookDispatcher({
      endpoints: directory,
      messages,
      now: () => new Date(),
      holdMs: 0,
      onQueued: () => workers.forEach((w) => w.wake()),
    });
    const events = Array.from({ length: 30 }, (_, i) =>
      outboundEvent(`replica-test-${i}`, 'tier.changed', new Date().toISOString(), {
        customerEmail: `r${i}@example.com`,
        stripeCustomerId: null,
        subscriptionId: null,
        previousTier: 'FREE',
        tier: 'PRO',
        features: [],
      }),
    );
    await dispatcher.publish(events);
    workers.forEach((w) => w.start());
    try {
      await waitFor(
        async () =>
          (await messages.listByEndpoint(endpoint._id, { status: 'delivered', limit: 100 })).length === 30,
        {
          what: '30 delivered',
        },
      );
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      directory.stop();
      delivery.close();
    }
    const ids = h.receiver.requests.map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    for (const req of h.receiver.requests) new Webhook(secret).verify(req.body, req.headers);
    expect(await deliveryAttemptModel(db).countDocuments({ endpointId: endpoint._id })).toBe(30);
    const workersUsed = new Set(
      (await deliveryAttemptModel(db).find({ endpointId: endpoint._id }).lean()).map((a) => a.worker),
    );
    expect(workersUsed.size).toBe(2);
  });
});
