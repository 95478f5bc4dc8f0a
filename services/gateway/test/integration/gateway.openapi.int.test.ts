import { STRIPE_EVENTS_STREAM, declareStreams } from '@billing/contracts';
import { connectNats, createLogger, type HttpApp, type NatsHandle } from '@billing/runtime';
import { inspectOpenApi, newWebhookSecret, testEnv } from '@billing/testkit';
import { buildGatewayApp } from '../../src/app';
import { jetStreamEventPublisher } from '../../src/publisher';
import { natsReadiness } from '../../src/readiness';

const logger = createLogger({ service: 'gateway-test', version: 'test', level: 'silent' });

describe('gateway OpenAPI document', () => {
  let nats: NatsHandle;
  let app: HttpApp;

  beforeAll(async () => {
    nats = await connectNats(testEnv().natsUrl, 'gateway-test', logger, 2000);
    await declareStreams(nats.jsm, [STRIPE_EVENTS_STREAM]);
    app = await buildGatewayApp({
      config: { webhookSecrets: [newWebhookSecret()], toleranceSeconds: 300, maxBodyBytes: 64 * 1024 },
      logger,
      publisher: jetStreamEventPublisher(nats, 2000, logger),
      readiness: natsReadiness(nats),
      version: '1.2.3',
    });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await nats?.close();
  });

  it('is public and describes the webhook paths and probes, each with its answer schemas', async () => {
    const res = await app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const report = await inspectOpenApi(doc);
    expect(report.version).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Gateway', version: '1.2.3' });
    expect(report.operations).toEqual(
      expect.arrayContaining([
        'POST /api/billing/webhooks',
        'POST /webhooks/stripe',
        'GET /healthz',
        'GET /readyz',
      ]),
    );
    expect(report.withoutSuccessSchema).toEqual([]);
    expect(report.withoutErrorSchema).toEqual(['GET /healthz']);
    // No token anywhere: Stripe authenticates each webhook with its signature.
    expect(doc.security).toBeUndefined();
  });

  it('documents the signed webhook: header, snapshot or thin event body, and every answer', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    const webhook = doc.paths['/api/billing/webhooks'].post;
    expect(webhook.parameters).toEqual([
      expect.objectContaining({ in: 'header', name: 'stripe-signature', required: true }),
    ]);
    const body = webhook.requestBody.content['application/json'].schema;
    const [snapshot, thin] = body.anyOf;
    expect(snapshot.required).toEqual(expect.arrayContaining(['id', 'object', 'type', 'data']));
    expect(thin.properties.object).toMatchObject({ enum: ['v2.core.event'] });
    expect(Object.keys(webhook.responses).sort()).toEqual(['200', '400', '413', '415', '503']);
    expect(webhook.responses['200'].content['application/json'].schema).toMatchObject({
      properties: { received: { enum: [true] } },
    });
    const error = webhook.responses['400'].content['application/json'].schema;
    expect(error.properties.error.required).toEqual(['code', 'message']);
    expect(doc.paths['/webhooks/stripe'].post.responses['503']).toBeDefined();
  });
});
