import {
  ORDER_CONFIRMED_V1,
  ORDER_REFUNDED_V1,
  type OrderRefundedV1,
  type OrderSnapshotV1,
} from '@billing/contracts';
import { Writable } from 'node:stream';
import { createLogger } from '@billing/runtime';
import { stripeFixtures as fx, waitFor } from '@billing/testkit';
import { buildLicensingService } from '../../src/app';
import { loadSigner } from '../../src/signing';
import {
  adminHeaders,
  licensingEvents,
  orderLine,
  orderSnapshot,
  publishOrders,
  startLicensing,
  verify,
  waitForEvent,
  type Harness,
} from './harness';

jest.setTimeout(60_000);

const DAY_MS = 24 * 60 * 60 * 1000;
type Purchase = ReturnType<typeof fx.oneTimePurchase<'basil'>>;

/** A one-time checkout: two e-book seats, a one-year course and a mug (physical: no license). */
function purchase(email: string): { purchase: Purchase; order: OrderSnapshotV1 } {
  const p = fx.oneTimePurchase({
    email,
    lines: [
      { productName: 'E-book', quantity: 2, metadata: { sku: 'EBOOK-1' } },
      { productName: 'Course', metadata: { sku: 'COURSE-1Y' } },
      { productName: 'Mug', metadata: { sku: 'MUG' } },
    ],
  });
  const [ebook, course, mug] = p.lineItems.data;
  const order = orderSnapshot({
    orderId: `ord_${p.session.id}`,
    checkoutSessionId: p.session.id,
    email,
    stripeCustomerId: p.customerId,
    mode: 'payment',
    lines: [orderLine(ebook!, 'digital'), orderLine(course!, 'digital'), orderLine(mug!, 'physical')],
  });
  return { purchase: p, order };
}

function refundOf(p: ReturnType<typeof fx.fullRefund<'basil'>>, order: OrderSnapshotV1): OrderRefundedV1 {
  return {
    orderId: order.orderId,
    customerEmail: order.customerEmail,
    chargeId: p.charge.id,
    refundId: p.refund.id,
    paymentIntentId: p.paymentIntent.id,
    amount: p.refund.amount,
    amountRefunded: p.charge.amount_refunded,
    amountCharged: p.charge.amount,
    currency: p.charge.currency,
    full: p.charge.amount_refunded >= p.charge.amount,
    refundedAt: new Date(p.refund.created * 1000).toISOString(),
  };
}

type Licensed = {
  licenses: Array<{
    key: string;
    licenseId: string;
    productSku: string;
    expiresAt: string | null;
    status: string;
  }>;
};

async function issue(h: Harness, order: OrderSnapshotV1): Promise<Licensed['licenses']> {
  await publishOrders(h.js, ORDER_CONFIRMED_V1, `orders.order.confirmed:${order.orderId}`, { order });
  return ((await waitForEvent(h.nats, `licensing.order.licensed:${order.orderId}`)).payload as Licensed)
    .licenses;
}

const ebook = (licenses: Licensed['licenses']) => licenses.find((l) => l.productSku === 'EBOOK-1')!;

describe('one-time licenses: refunds, machines, admin', () => {
  let h: Harness;
  let refundedKey: string;
  beforeAll(async () => {
    h = await startLicensing({
      LICENSING_PRODUCTS: '{"EBOOK-1":{"seats":2},"COURSE-1Y":{"durationDays":365}}',
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('licenses each digital unit, with a fixed expiry only where the product has a duration', async () => {
    const { order } = purchase('books@example.com');
    const licenses = await issue(h, order);
    expect(licenses.map((l) => l.productSku)).toEqual(['EBOOK-1', 'EBOOK-1', 'COURSE-1Y']);
    expect(licenses[0]!.expiresAt).toBeNull();
    const courseExpiry = Date.parse(licenses[2]!.expiresAt!);
    expect(Math.abs(courseExpiry - (Date.now() + 365 * DAY_MS))).toBeLessThan(60_000);
    const claims = JSON.parse(Buffer.from(licenses[2]!.key.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims.exp).toBe(Math.floor(courseExpiry / 1000));
    expect(await verify(h, licenses[2]!.key)).toMatchObject({
      code: 'VALID',
      expiresAt: licenses[2]!.expiresAt,
      tier: null,
    });
  });

  it('revokes the order’s licenses on a full refund', async () => {
    const { purchase: p, order } = purchase('refund@example.com');
    const licenses = await issue(h, order);
    const refund = refundOf(fx.fullRefund(p), order);
    await publishOrders(h.js, ORDER_REFUNDED_V1, `orders.order.refunded:${refund.refundId}`, refund);
    const revoked = await waitForEvent(h.nats, `licensing.licenses.revoked:${refund.refundId}`);
    expect(revoked.payload).toMatchObject({
      reason: 'refunded',
      orderId: order.orderId,
      customerEmail: 'refund@example.com',
    });
    expect((revoked.payload as Licensed).licenses.map((l) => l.status)).toEqual([
      'revoked',
      'revoked',
      'revoked',
    ]);
    for (const l of licenses) expect(await verify(h, l.key)).toMatchObject({ valid: false, code: 'REVOKED' });
    refundedKey = licenses[0]!.key;
  });

  it('keeps licenses on a partial refund, and revokes them when the rest is refunded', async () => {
    const { purchase: p, order } = purchase('partial@example.com');
    const [first] = await issue(h, order);
    const partial = fx.partialRefund(p);
    const partialRefund = refundOf(partial, order);
    expect(partialRefund.full).toBe(false);
    await publishOrders(
      h.js,
      ORDER_REFUNDED_V1,
      `orders.order.refunded:${partialRefund.refundId}`,
      partialRefund,
    );
    await waitFor(async () =>
      h.infra.db.collection('refunds').findOne({ _id: partialRefund.refundId as never }),
    );
    expect(await verify(h, first!.key)).toMatchObject({ code: 'VALID' });

    const rest = refundOf(fx.fullRefund(partial), order);
    expect(rest.full).toBe(true);
    await publishOrders(h.js, ORDER_REFUNDED_V1, `orders.order.refunded:${rest.refundId}`, rest);
    await waitForEvent(h.nats, `licensing.licenses.revoked:${rest.refundId}`);
    expect(await verify(h, first!.key)).toMatchObject({ code: 'REVOKED' });
    const ids = (await licensingEvents(h.nats)).map((e) => e.id);
    expect(ids).not.toContain(`licensing.licenses.revoked:${partialRefund.refundId}`);
  });

  it('issues licenses already revoked when the refund arrived before the order', async () => {
    const { purchase: p, order } = purchase('early-refund@example.com');
    const refund = refundOf(fx.fullRefund(p), order);
    await publishOrders(h.js, ORDER_REFUNDED_V1, `orders.order.refunded:${refund.refundId}`, refund);
    await waitFor(async () => h.infra.db.collection('refunds').findOne({ _id: refund.refundId as never }));
    const licenses = await issue(h, order);
    expect(licenses.map((l) => l.status)).toEqual(['revoked', 'revoked', 'revoked']);
  });

  it('raises the tier for a lifetime license and drops it again when that order is refunded', async () => {
    const email = 'lifetime@example.com';
    const p = fx.oneTimePurchase({
      email,
      lines: [{ productName: 'Pro license (lifetime)', metadata: { sku: 'PRO-LIFETIME', tier: 'pro' } }],
    });
    const order = orderSnapshot({
      orderId: `ord_${p.session.id}`,
      checkoutSessionId: p.session.id,
      email,
      stripeCustomerId: p.customerId,
      mode: 'payment',
      lines: [orderLine(p.lineItems.data[0]!, 'digital')],
    });
    const [license] = await issue(h, order);
    expect(license).toMatchObject({ tier: 'PRO', expiresAt: null, subscriptionId: null });
    const raised = await waitForEvent(
      h.nats,
      `licensing.tier.changed:orders.order.confirmed:${order.orderId}`,
    );
    expect(raised.payload).toMatchObject({ customerEmail: email, previousTier: 'FREE', tier: 'PRO' });
    const entitled = await h.service.http.inject({
      method: 'GET',
      url: `/customers/${email}/entitlements`,
      headers: adminHeaders,
    });
    expect(entitled.json()).toMatchObject({ tier: 'PRO', features: h.config.tiers.features.PRO });

    const refund = refundOf(fx.fullRefund(p), order);
    await publishOrders(h.js, ORDER_REFUNDED_V1, `orders.order.refunded:${refund.refundId}`, refund);
    const dropped = await waitForEvent(
      h.nats,
      `licensing.tier.changed:orders.order.refunded:${refund.refundId}`,
    );
    expect(dropped.payload).toMatchObject({ previousTier: 'PRO', tier: 'FREE' });
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

    const revoked = await waitForEvent(h.nats, `licensing.licenses.revoked:admin:${license!.licenseId}`);
    expect(revoked.payload).toMatchObject({ reason: 'admin', customerEmail: 'admin@example.com' });
    const types = (await licensingEvents(h.nats))
      .filter((e) => e.id.includes(`admin:${license!.licenseId}`))
      .map((e) => e.type);
    expect(types).toEqual([
      'licensing.licenses.suspended',
      'licensing.licenses.reactivated',
      'licensing.licenses.revoked',
    ]);
  });

  it('guards entitlements and listings with the admin token', async () => {
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
        headers: { 'x-forwarded-for': ip },
      });
    const first = await Promise.all([1, 2, 3].map(() => ask('203.0.113.7')));
    expect(first.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const fourth = await ask('203.0.113.7');
    expect(fourth.statusCode).toBe(429);
    expect(fourth.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect((await ask('198.51.100.9')).statusCode).toBe(200);
    await limited.http.close();
  });

  it('keeps license keys out of the logs', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      service: 'licensing-test',
      version: 'test',
      level: 'debug',
      destination: new Writable({ write: (chunk, _enc, next) => (lines.push(String(chunk)), next()) }),
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
    ];
    const codes = [];
    for (const call of calls) codes.push((await logged.http.inject(call)).statusCode);
    expect(codes).toEqual([200, 201, 204, 404, 200]);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(signature);
    await logged.http.close();
  });
});
