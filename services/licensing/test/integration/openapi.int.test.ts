import { inspectOpenApi } from '@billing/testkit';
import { adminHeaders, useLicensing } from './harness';

describe('licensing OpenAPI document', () => {
  const h = useLicensing();

  const get = (headers: Record<string, string> = {}) =>
    h.service.http.inject({ method: 'GET', url: '/openapi.json', headers });

  it('is served only with the admin token', async () => {
    const none = await get();
    expect([none.statusCode, none.json()]).toEqual([
      401,
      { error: { code: 'unauthorized', message: expect.any(String) } },
    ]);
    expect((await get({ authorization: 'Bearer not-the-token-0123456789' })).statusCode).toBe(401);
  });

  it('is valid OpenAPI 3 and gives every route its answer and error schemas', async () => {
    const res = await get(adminHeaders);
    expect(res.statusCode).toBe(200);
    const report = await inspectOpenApi(res.json());
    expect(report.version).toBe('3.1.0');
    expect(report.operations).toEqual(
      expect.arrayContaining([
        'POST /licenses/verify',
        'POST /licenses/{key}/activations',
        'DELETE /licenses/{key}/activations/{fingerprint}',
        'GET /.well-known/license-public-key',
        'GET /.well-known/jwks.json',
        'GET /customers/{email}/entitlements',
        'GET /licenses',
        'GET /admin/licenses/{licenseId}',
        'POST /admin/licenses/{licenseId}/revoke',
        'POST /admin/licenses/{licenseId}/suspend',
        'POST /admin/licenses/{licenseId}/reinstate',
        'GET /admin/parked',
        'GET /admin/parked/summary',
        'POST /admin/parked/{id}/replay',
        'POST /admin/parked/replay',
        'GET /healthz',
        'GET /readyz',
      ]),
    );
    expect(report.withoutSuccessSchema).toEqual([]);
    // The public key is all there is to answer: nothing can go wrong but the server.
    expect(report.withoutErrorSchema.sort()).toEqual([
      'GET /.well-known/jwks.json',
      'GET /.well-known/license-public-key',
      'GET /healthz',
    ]);
  });

  it('marks what apps call with a key as public, and the rest as behind the admin token', async () => {
    const doc = (await get(adminHeaders)).json();
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/licenses/verify'].post.security).toEqual([]);
    expect(doc.paths['/licenses/{key}/activations'].post.security).toEqual([]);
    expect(doc.paths['/licenses'].get.security).toBeUndefined();
    const verify = doc.paths['/licenses/verify'].post.responses['200'].content['application/json'].schema;
    expect(Object.keys(verify.properties).sort()).toEqual(
      ['code', 'expiresAt', 'licenseId', 'product', 'status', 'tier', 'valid'].sort(),
    );
    expect(Object.keys(doc.paths['/licenses/verify'].post.responses)).toEqual(['200', '400', '429']);
  });
});
