import { inspectOpenApi } from '@billing/testkit';
import { useGateway } from './harness';

describe('gateway OpenAPI document', () => {
  const h = useGateway({ maxBodyBytes: 64 * 1024, version: '1.2.3' });
  const app = () => h.service.http;

  it('is public and describes the webhook paths and probes, each with its answer schemas', async () => {
    const res = await app().inject({ url: '/openapi.json' });
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
    const doc = (await app().inject({ url: '/openapi.json' })).json();
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
