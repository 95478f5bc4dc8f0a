import { Writable } from 'node:stream';
import { ORDER_REFUNDED_V1 } from '@billing/contracts';
import { createLogger, type TrustProxy } from '@billing/runtime';
import { stripeFixtures as fx } from '@billing/testkit';
import { buildLicensingService } from '../../src/app';
import { redactKeysInUrl } from '../../src/domain/license-key';
import { loadSigner } from '../../src/signing';
import { adminHeaders, useLicensing, verify } from './harness';
import { PRODUCTS, ebook, issue, purchase, refundOf } from './one-time';

describe('machines, operator routes and the public edge', () => {
  const h = useLicensing({ LICENSING_PRODUCTS: PRODUCTS });
  let refundedKey: string;
  beforeAll(async () => {
    // A license revoked by a full refund, for the activation test.
    const { purchase: p, order } = purchase('refunded@example.com');
    refundedKey = (await issue(h, order))[0]!.key;
    const refund = refundOf(fx.fullRefund(p), order);
    await h.publishEnvelope(ORDER_REFUNDED_V1, {
      id: `orders.order.refunded:${refund.refundId}`,
      payload: refund,
    });
    await h.events.waitFor(`licensing.licenses.revoked:${refund.refundId}`);
  });

  describe('machine activation', () => {
    let key: string;
    const activate = (fingerprint: string, k = key) =>
      h.service.http.inject({
        method: 'POST',
        url: `/licenses/${k}/activations`,
        payload: { fingerprint, name: `machine ${fingerprint}` },
      });

    beforeAll(async () => {
      key = ebook(await issue(h, purchase('seats@example.com').order)).key;
    });

    it('holds the per-product seat limit and frees a seat on deactivation', async () => {
      expect((await activate('fp-a')).statusCode).toBe(201);
      expect((await activate('fp-a')).statusCode).toBe(200);
      const second = await activate('fp-b');
      expect(second.statusCode).toBe(201);
      expect(second.json()).toMatchObject({ seats: 2, used: 2, fingerprint: 'fp-b' });
      const third = await activate('fp-c');
      expect(third.statusCode).toBe(409);
      expect(third.json()).toEqual({ error: { code: 'too_many_machines', message: expect.any(String) } });

      expect(await verify(h, key, 'fp-a')).toMatchObject({ valid: true, code: 'VALID' });
      expect(await verify(h, key, 'fp-c')).toMatchObject({ valid: false, code: 'TOO_MANY_MACHINES' });

      const removed = await h.service.http.inject({
        method: 'DELETE',
        url: `/licenses/${key}/activations/fp-b`,
      });
      expect(removed.statusCode).toBe(204);
      expect(await verify(h, key, 'fp-c')).toMatchObject({
        valid: false,
        code: 'FINGERPRINT_SCOPE_MISMATCH',
      });
      expect((await activate('fp-c')).statusCode).toBe(201);
      const missing = await h.service.http.inject({
        method: 'DELETE',
        url: `/licenses/${key}/activations/fp-b`,
      });
      expect(missing.statusCode).toBe(404);
    });

    it('holds the limit under concurrent activations', async () => {
      const fresh = ebook(await issue(h, purchase('race@example.com').order));
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => activate(`race-${i}`, fresh.key)),
      );
      const codes = answers.map((a) => a.statusCode);
      expect(codes.filter((c) => c === 201)).toHaveLength(2);
      expect(codes.filter((c) => c === 409)).toHaveLength(10);
      const detail = await h.service.http.inject({
        method: 'GET',
        url: `/admin/licenses/${fresh.licenseId}`,
        headers: adminHeaders,
      });
      expect((detail.json() as { machines: unknown[] }).machines).toHaveLength(2);
    });

    it('refuses activation for an unknown key and a revoked license', async () => {
      const unknown = await activate('fp-x', `${key.slice(0, -4)}AAAA`);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ error: { code: 'license_not_found' } });
      const revoked = await activate('fp-x', refundedKey);
      expect(revoked.statusCode).toBe(409);
      expect(revoked.json()).toMatchObject({ error: { code: 'license_revoked' } });
    });
  });

  it('lets an operator suspend, reinstate and revoke a license, announcing each', async () => {
    const [license] = await issue(h, purchase('admin@example.com').order);
    const post = (action: string) =>
      h.service.http.inject({
        method: 'POST',
        url: `/admin/licenses/${license!.licenseId}/${action}`,
        headers: adminHeaders,
      });
    expect(
      (await h.service.http.inject({ method: 'POST', url: `/admin/licenses/${license!.licenseId}/revoke` }))
        .statusCode,
    ).toBe(401);

    expect((await post('suspend')).json()).toMatchObject({ license: { status: 'suspended' } });
    expect(await verify(h, license!.key)).toMatchObject({ code: 'SUSPENDED' });
    expect((await post('reinstate')).json()).toMatchObject({ license: { status: 'active' } });
    expect(await verify(h, license!.key)).toMatchObject({ code: 'VALID' });
    expect((await post('revoke')).json()).toMatchObject({
      license: { status: 'revoked', revokeReason: 'admin' },
    });
    expect((await post('reinstate')).json()).toMatchObject({ license: { status: 'revoked' } });
    expect(await verify(h, license!.key)).toMatchObject({ code: 'REVOKED' });

    const revoked = await h.events.waitFor(`licensing.licenses.revoked:admin:${license!.licenseId}`);
    expect(revoked.payload).toMatchObject({ reason: 'admin', customerEmail: 'admin@example.com' });
    const types = (await h.events.envelopes())
      .filter((e) => e.id.includes(`admin:${license!.licenseId}`))
      .map((e) => e.type);
    expect(types).toEqual([
      'licensing.licenses.suspended',
      'licensing.licenses.reactivated',
      'licensing.licenses.revoked',
    ]);
  });

  it('guards entitlements and listings with the admin token', async () => {
    await issue(h, purchase('books@example.com').order);
    const noToken = await h.service.http.inject({
      method: 'GET',
      url: '/customers/books@example.com/entitlements',
    });
    expect(noToken.statusCode).toBe(401);
    const listing = await h.service.http.inject({
      method: 'GET',
      url: '/licenses?email=BOOKS@example.com',
      headers: adminHeaders,
    });
    expect(listing.statusCode).toBe(200);
    expect((listing.json() as { licenses: unknown[] }).licenses).toHaveLength(3);
    const entitled = await h.service.http.inject({
      method: 'GET',
      url: '/customers/books@example.com/entitlements',
      headers: adminHeaders,
    });
    expect(entitled.json()).toMatchObject({ tier: 'FREE', features: ['core'] });
  });

  it('rate-limits the public routes per client', async () => {
    const limited = await buildLicensingService({
      config: { ...h.config, verifyRateLimit: { max: 3, windowMs: 60_000 } },
      logger: h.service.http.log,
      infra: h.infra,
      signer: loadSigner(h.config, h.service.http.log),
    });
    const ask = (ip: string) =>
      limited.http.inject({
        method: 'POST',
        url: '/licenses/verify',
        payload: { key: 'x' },
        remoteAddress: ip,
      });
    const first = await Promise.all([1, 2, 3].map(() => ask('203.0.113.7')));
    expect(first.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const fourth = await ask('203.0.113.7');
    expect(fourth.statusCode).toBe(429);
    expect(fourth.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect((await ask('198.51.100.9')).statusCode).toBe(200);
    await limited.http.close();
  });

  it('counts one budget across replicas', async () => {
    const replica = () =>
      buildLicensingService({
        config: { ...h.config, verifyRateLimit: { max: 3, windowMs: 60_000 } },
        logger: h.service.http.log,
        infra: h.infra,
        signer: loadSigner(h.config, h.service.http.log),
      });
    const [a, b] = [await replica(), await replica()];
    const ask = (service: typeof a) =>
      service.http.inject({
        method: 'POST',
        url: '/licenses/verify',
        payload: { key: 'x' },
        remoteAddress: '203.0.113.50',
      });
    const answers = [await ask(a), await ask(b), await ask(a), await ask(b)];
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 429]);
    await a.http.close();
    await b.http.close();
  });

  it('believes X-Forwarded-For only from the proxies TRUST_PROXY names', async () => {
    const build = (trustProxy: TrustProxy) =>
      buildLicensingService({
        config: { ...h.config, trustProxy, verifyRateLimit: { max: 1, windowMs: 60_000 } },
        logger: h.service.http.log,
        infra: h.infra,
        signer: loadSigner(h.config, h.service.http.log),
      });
    const ask = (service: Awaited<ReturnType<typeof build>>, peer: string, forwardedFor: string) =>
      service.http.inject({
        method: 'POST',
        url: '/licenses/verify',
        payload: { key: 'x' },
        remoteAddress: peer,
        headers: { 'x-forwarded-for': forwardedFor },
      });
    const direct = await build(false);
    expect((await ask(direct, '10.0.0.1', '203.0.113.1')).statusCode).toBe(200);
    // A forged header does not buy a fresh budget.
    expect((await ask(direct, '10.0.0.1', '203.0.113.2')).statusCode).toBe(429);
    await direct.http.close();

    // One proxy in front: the client is the address it appended, whatever the client wrote before it.
    const oneHop = await build(1);
    expect((await ask(oneHop, '10.0.0.2', '203.0.113.3')).statusCode).toBe(200);
    expect((await ask(oneHop, '10.0.0.2', '203.0.113.4')).statusCode).toBe(200);
    expect((await ask(oneHop, '10.0.0.2', '198.51.100.1, 203.0.113.4')).statusCode).toBe(429);
    await oneHop.http.close();

    // Named proxies: a peer outside the list is the client itself, its header ignored.
    const named = await build(['10.1.0.0/16']);
    expect((await ask(named, '10.1.2.3', '203.0.113.5')).statusCode).toBe(200);
    expect((await ask(named, '10.2.0.1', '203.0.113.6')).statusCode).toBe(200);
    expect((await ask(named, '10.2.0.1', '203.0.113.7')).statusCode).toBe(429);
    await named.http.close();
  });

  it('keeps license keys out of the logs', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      service: 'licensing-test',
      version: 'test',
      level: 'debug',
      destination: new Writable({ write: (chunk, _enc, next) => (lines.push(String(chunk)), next()) }),
      redactUrl: redactKeysInUrl,
    });
    const logged = await buildLicensingService({
      config: h.config,
      logger,
      infra: h.infra,
      signer: loadSigner(h.config, logger),
    });
    const license = ebook(await issue(h, purchase('logs@example.com').order));
    const signature = license.key.split('.')[2]!;
    const calls = [
      {
        method: 'POST' as const,
        url: '/licenses/verify',
        payload: { key: license.key, fingerprint: 'fp-log' },
      },
      {
        method: 'POST' as const,
        url: `/licenses/${license.key}/activations`,
        payload: { fingerprint: 'fp-log' },
      },
      { method: 'DELETE' as const, url: `/licenses/${license.key}/activations/fp-log` },
      { method: 'DELETE' as const, url: `/licenses/${license.key}/activations/fp-none` },
      { method: 'GET' as const, url: '/licenses?email=logs@example.com', headers: adminHeaders },
      // A mistyped route: the 404 is logged at info, with the key masked.
      { method: 'GET' as const, url: `/licenses/${license.key}/activationz` },
    ];
    const codes = [];
    for (const call of calls) codes.push((await logged.http.inject(call)).statusCode);
    expect(codes).toEqual([200, 201, 204, 404, 200, 404]);
    expect(lines.join('\n')).toContain('/licenses/[license-key]/activationz');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(signature);
    await logged.http.close();
  });
});
