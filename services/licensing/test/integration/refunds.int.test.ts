import { ORDER_CONFIRMED_V1, ORDER_REFUNDED_V1 } from '@billing/contracts';
import { orderLine, orderSnapshot, stripeFixtures as fx, waitFor } from '@billing/testkit';
import { adminHeaders, useLicensing, verify } from './harness';
import { DAY_MS, PRODUCTS, issue, purchase, refundOf, type Licensed } from './one-time';

describe('one-time licenses and refunds', () => {
  const h = useLicensing({ LICENSING_PRODUCTS: PRODUCTS });

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
    await h.publishEnvelope(ORDER_REFUNDED_V1, {
      id: `orders.order.refunded:${refund.refundId}`,
      payload: refund,
    });
    const revoked = await h.events.waitFor(`licensing.licenses.revoked:${refund.refundId}`);
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

    // An operator revoking it again changes nothing and announces nothing.
    const again = await h.service.http.inject({
      method: 'POST',
      url: `/admin/licenses/${licenses[0]!.licenseId}/revoke`,
      headers: adminHeaders,
    });
    expect(again.json()).toMatchObject({ license: { status: 'revoked', revokeReason: 'refunded' } });
    await h.settled();
    const adminRevocations = (await h.events.envelopes('licensing.licenses.revoked.v1')).filter((e) =>
      e.id.includes(licenses[0]!.licenseId),
    );
    expect(adminRevocations).toEqual([]);
  });

  it('announces an order of 1,200 licenses, and their revocation, in pages that each fit in a message', async () => {
    const p = fx.oneTimePurchase({
      email: 'site@example.com',
      lines: [{ productName: 'E-book', quantity: 1200, metadata: { sku: 'EBOOK-1' } }],
    });
    const order = orderSnapshot({
      orderId: `ord_${p.session.id}`,
      checkoutSessionId: p.session.id,
      customerEmail: 'site@example.com',
      stripeCustomerId: p.customerId,
      mode: 'payment',
      lines: [orderLine(p.lineItems.data[0]!, 'digital')],
    });
    await h.publishEnvelope(ORDER_CONFIRMED_V1, {
      id: `orders.order.confirmed:${order.orderId}`,
      payload: { order },
    });
    const base = `licensing.order.licensed:${order.orderId}`;
    const pages = await Promise.all(
      [base, `${base}:page:2`, `${base}:page:3`].map((id) => h.events.waitFor(id, 30_000)),
    );
    const listed = pages.map((e) => e.payload as Licensed & { page: unknown });
    expect(listed.map((l) => l.licenses.length)).toEqual([500, 500, 200]);
    expect(listed.map((l) => l.page)).toEqual(
      [1, 2, 3].map((number) => ({ number, of: 3, licenseCount: 1200 })),
    );
    expect(new Set(listed.flatMap((l) => l.licenses.map((x) => x.licenseId))).size).toBe(1200);

    const refund = refundOf(fx.fullRefund(p), order);
    await h.publishEnvelope(ORDER_REFUNDED_V1, {
      id: `orders.order.refunded:${refund.refundId}`,
      payload: refund,
    });
    const revokedBase = `licensing.licenses.revoked:${refund.refundId}`;
    const revoked = await Promise.all(
      [revokedBase, `${revokedBase}:page:2`, `${revokedBase}:page:3`].map((id) =>
        h.events.waitFor(id, 30_000),
      ),
    );
    expect(revoked.map((e) => (e.payload as Licensed).licenses.length)).toEqual([500, 500, 200]);
  });

  it('keeps licenses on a partial refund, and revokes them when the rest is refunded', async () => {
    const { purchase: p, order } = purchase('partial@example.com');
    const [first] = await issue(h, order);
    const partial = fx.partialRefund(p);
    const partialRefund = refundOf(partial, order);
    expect(partialRefund.full).toBe(false);
    await h.publishEnvelope(ORDER_REFUNDED_V1, {
      id: `orders.order.refunded:${partialRefund.refundId}`,
      payload: partialRefund,
    });
    await waitFor(async () =>
      h.infra.db.collection('refunds').findOne({ _id: partialRefund.refundId as never }),
    );
    expect(await verify(h, first!.key)).toMatchObject({ code: 'VALID' });

    const rest = refundOf(fx.fullRefund(partial), order);
    expect(rest.full).toBe(true);
    await h.publishEnvelope(ORDER_REFUNDED_V1, {
      id: `orders.order.refunded:${rest.refundId}`,
      payload: rest,
    });
    await h.events.waitFor(`licensing.licenses.revoked:${rest.refundId}`);
    expect(await verify(h, first!.key)).toMatchObject({ code: 'REVOKED' });
    const ids = (await h.events.envelopes()).map((e) => e.id);
    expect(ids).not.toContain(`licensing.licenses.revoked:${partialRefund.refundId}`);
  });

  it('issues licenses already revoked when the refund arrived before the order', async () => {
    const { purchase: p, order } = purchase('early-refund@example.com');
    const refund = refundOf(fx.fullRefund(p), order);
    await h.publishEnvelope(ORDER_REFUNDED_V1, {
      id: `orders.order.refunded:${refund.refundId}`,
      payload: refund,
    });
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
      customerEmail: email,
      stripeCustomerId: p.customerId,
      mode: 'payment',
      lines: [orderLine(p.lineItems.data[0]!, 'digital')],
    });
    const [license] = await issue(h, order);
    expect(license).toMatchObject({ tier: 'PRO', expiresAt: null, subscriptionId: null });
    // The email's announcement chain: link 1 raised it, link 2 drops it.
    const raised = await h.events.waitFor(`licensing.tier.changed:${email}:1`);
    expect(raised.payload).toMatchObject({ customerEmail: email, previousTier: 'FREE', tier: 'PRO' });
    const entitled = await h.service.http.inject({
      method: 'GET',
      url: `/customers/${email}/entitlements`,
      headers: adminHeaders,
    });
    expect(entitled.json()).toMatchObject({ tier: 'PRO', features: h.config.tiers.features.PRO });

    const refund = refundOf(fx.fullRefund(p), order);
    await h.publishEnvelope(ORDER_REFUNDED_V1, {
      id: `orders.order.refunded:${refund.refundId}`,
      payload: refund,
    });
    const dropped = await h.events.waitFor(`licensing.tier.changed:${email}:2`);
    expect(dropped.payload).toMatchObject({ previousTier: 'PRO', tier: 'FREE' });
  });
});
