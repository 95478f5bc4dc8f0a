import { inspectOpenApi } from '@billing/testkit';
import { useNotifications } from './harness';

describe('notifications OpenAPI document', () => {
  const h = useNotifications();

  it('is served only with the admin token', async () => {
    for (const authorization of [undefined, 'Bearer not-the-token-0123456789']) {
      const res = await h.service.http.inject({
        url: '/openapi.json',
        headers: authorization ? { authorization } : {},
      });
      expect([res.statusCode, res.json()]).toEqual([
        401,
        { error: { code: 'unauthorized', message: expect.any(String) } },
      ]);
    }
  });

  it('is valid OpenAPI 3 and gives every route its answer and error schemas', async () => {
    const res = await h.api('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const report = await inspectOpenApi(res.body);
    expect(report.version).toBe('3.1.0');
    expect(report.operations).toEqual(
      expect.arrayContaining([
        'GET /webhooks/event-types',
        'GET /webhooks/endpoints',
        'POST /webhooks/endpoints',
        'GET /webhooks/endpoints/{id}',
        'PATCH /webhooks/endpoints/{id}',
        'DELETE /webhooks/endpoints/{id}',
        'POST /webhooks/endpoints/{id}/disable',
        'POST /webhooks/endpoints/{id}/enable',
        'POST /webhooks/endpoints/{id}/rotate-secret',
        'GET /webhooks/endpoints/{id}/messages',
        'POST /webhooks/endpoints/{id}/replay',
        'GET /webhooks/messages/{id}',
        'GET /webhooks/messages/{id}/attempts',
        'POST /webhooks/messages/{id}/replay',
        'GET /admin/customers/{email}/notifications',
        'GET /admin/parked',
        'GET /admin/parked/summary',
        'POST /admin/parked/{id}/replay',
        'POST /admin/parked/replay',
        'GET /healthz',
        'GET /readyz',
      ]),
    );
    expect(report.withoutSuccessSchema).toEqual([]);
    expect(report.withoutErrorSchema).toEqual(['GET /healthz']);
    expect(res.body.security).toEqual([{ bearerAuth: [] }]);
  });

  it('describes an endpoint as the API answers it, never with its secrets', async () => {
    const doc = (await h.api('GET', '/openapi.json')).body;
    const endpoint =
      doc.paths['/webhooks/endpoints/{id}'].get.responses['200'].content['application/json'].schema;
    expect(endpoint.properties.secrets.items.properties).not.toHaveProperty('secret');
    const created = doc.paths['/webhooks/endpoints'].post;
    expect(Object.keys(created.responses)).toEqual(['201', '400', '401']);
    expect(created.responses['201'].content['application/json'].schema.required).toEqual([
      'id',
      'secret',
      'endpoint',
    ]);
  });
});
