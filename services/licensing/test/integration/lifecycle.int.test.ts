import { createPublicKey, generateKeyPairSync, sign, verify as verifySignature } from 'node:crypto';
import {
  ORDER_CONFIRMED_V1,
  ORDER_CREATED_V1,
  PAYMENT_RECORDED_V1,
  type OrderSnapshotV1,
  type PaymentRecordedV1,
} from '@billing/contracts';
import { orderLine, orderSnapshot, stripeFixtures as fx, waitFor } from '@billing/testkit';
import { entitlements, useLicensing, verify } from './harness';

type Invoice = { id: string; lines: { data: Array<{ period: { end: number } }> } };
const iso = (unix: number) => new Date(unix * 1000).toISOString();
const periodEnd = (sub: { items: { data: Array<{ current_period_end?: number }> } }) =>
  sub.items.data[0]!.current_period_end!;

/** The `orders.payment.recorded` the orders service publishes for a paid subscription invoice. */
function invoicePayment(order: OrderSnapshotV1, invoice: Invoice, billingReason: string): PaymentRecordedV1 {
  return {
    paymentId: `pay_${invoice.id}`,
    orderId: order.orderId,
    customerEmail: order.customerEmail,
    source: 'invoice',
    invoiceId: invoice.id,
    paymentIntentId: null,
    subscriptionId: order.subscriptionId,
    billingReason,
    amount: 1900,
    currency: 'usd',
    periodEnd: iso(invoice.lines.data[0]!.period.end),
    receiptUrl: null,
    paidAt: new Date().toISOString(),
  };
}

describe('a subscription license through its whole life', () => {
  const h = useLicensing();
  const email = 'ada@example.com';
  const purchase = fx.subscriptionPurchase({ email, tier: 'pro' });
  const order = orderSnapshot({
    orderId: `ord_${purchase.session.id}`,
    checkoutSessionId: purchase.session.id,
    customerEmail: email,
    stripeCustomerId: purchase.customerId,
    mode: 'subscription',
    subscriptionId: purchase.subscription.id,
    currentPeriodEnd: iso(periodEnd(purchase.subscription)),
    lines: [orderLine(purchase.lineItems.data[0]!, 'subscription')],
  });
  let key: string;

  const waitForCode = (code: string) =>
    waitFor(async () => ((await verify(h, key)).code === code ? verify(h, key) : undefined), {
      what: `verify ${code}`,
    });

  it('issues a PRO license on purchase, even though Stripe announced the subscription before the order', async () => {
    // As in production: customer.subscription.created reaches licensing before orders confirmed the
    // checkout, so the customer's email is not known yet; it is applied once the order arrives.
    await h.publishStripeEvent(purchase.events.subscriptionCreated);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await h.publishEnvelope(ORDER_CREATED_V1, {
      id: `orders.order.created:${order.orderId}`,
      payload: {
        order: { ...order, status: 'pending_payment' },
      },
    });
    await h.publishEnvelope(ORDER_CONFIRMED_V1, {
      id: `orders.order.confirmed:${order.orderId}`,
      payload: { order },
    });
    await h.publishEnvelope(PAYMENT_RECORDED_V1, {
      id: `orders.payment.recorded:pay_${purchase.invoice.id}`,
      payload: invoicePayment(order, purchase.invoice, 'subscription_create'),
    });

    const licensed = await h.events.waitFor(`licensing.order.licensed:${order.orderId}`);
    const payload = licensed.payload as {
      licenses: Array<{ key: string; status: string; tier: string; expiresAt: string; productSku: string }>;
    };
    expect(payload.licenses).toHaveLength(1);
    expect(payload.licenses[0]).toMatchObject({
      status: 'active',
      tier: 'PRO',
      productSku: 'PRO-1M',
      expiresAt: order.currentPeriodEnd,
    });
    key = payload.licenses[0]!.key;

    expect(await verify(h, key)).toEqual({
      valid: true,
      code: 'VALID',
      licenseId: expect.stringMatching(/^lic_/),
      status: 'active',
      expiresAt: order.currentPeriodEnd,
      product: { sku: 'PRO-1M', name: 'Pro plan' },
      tier: 'PRO',
    });
    // Announced on the Stripe event's retry, once the order told licensing the customer's email.
    const created = await h.events.waitFor(
      `licensing.subscription.created:${purchase.subscription.id}`,
      40_000,
    );
    expect(created.payload).toMatchObject({ customerEmail: email, status: 'active', tier: 'PRO' });
    // The tier is announced once, by whichever of the order and the Stripe event saw it first.
    await h.settled();
    const tiers = await h.events.envelopes('licensing.tier.changed.v1');
    expect(tiers.map((e) => e.payload)).toEqual([
      expect.objectContaining({ customerEmail: email, previousTier: 'FREE', tier: 'PRO' }),
    ]);
    expect(await entitlements(h, email)).toMatchObject({
      tier: 'PRO',
      features: h.config.tiers.features.PRO,
    });
  });

  it('signs keys an app can check offline with the published public key alone', async () => {
    const res = await h.service.http.inject({ method: 'GET', url: '/.well-known/license-public-key' });
    const { publicKeyPem } = res.json() as { publicKeyPem: string };
    const jwks = (await h.service.http.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
      keys: Array<{ kty: string; crv: string; x: string }>;
    };
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    const [prefix, payload, signature] = key.split('.') as [string, string, string];
    const signed = Buffer.from(`${prefix}.${payload}`, 'ascii');
    for (const publicKey of [
      createPublicKey(publicKeyPem),
      createPublicKey({ key: jwks.keys[0]!, format: 'jwk' }),
    ]) {
      expect(verifySignature(null, signed, publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    }
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toMatchObject({
      sku: 'PRO-1M',
      tier: 'PRO',
    });
  });

  it('answers NOT_FOUND for a tampered key and for a key signed by someone else', async () => {
    const [prefix, payload, signature] = key.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, tier: 'PREMIUM' })).toString('base64url');
    expect(await verify(h, `${prefix}.${forgedPayload}.${signature}`)).toMatchObject({
      valid: false,
      code: 'NOT_FOUND',
    });

    const body = `${prefix}.${payload}`;
    const foreign = `${body}.${sign(null, Buffer.from(body), generateKeyPairSync('ed25519').privateKey).toString('base64url')}`;
    expect(await verify(h, foreign)).toMatchObject({ valid: false, code: 'NOT_FOUND', status: null });
    expect(await verify(h, 'not-a-key')).toMatchObject({ valid: false, code: 'NOT_FOUND' });
  });

  const renewed = fx.renewal(purchase);
  it('extends expiry on a renewal invoice, once however often it is delivered', async () => {
    const payment = invoicePayment(order, renewed.invoice, 'subscription_cycle');
    await h.publishStripeEvent(renewed.events.subscriptionUpdated);
    await h.publishEnvelope(PAYMENT_RECORDED_V1, {
      id: `orders.payment.recorded:${payment.paymentId}`,
      payload: payment,
    });
    // A redelivery after JetStream's duplicate window: another message id, the same payment.
    await h.publishEnvelope(
      PAYMENT_RECORDED_V1,
      { id: `orders.payment.recorded:${payment.paymentId}`, payload: payment },
      'late-copy',
    );

    const extended = await h.events.waitFor(`licensing.licenses.extended:${renewed.invoice.id}`);
    expect(extended.payload).toMatchObject({ invoiceId: renewed.invoice.id, expiresAt: payment.periodEnd });
    await waitFor(async () => (await verify(h, key)).expiresAt === payment.periodEnd, {
      what: 'renewed expiry',
    });
    await h.events.waitFor(`licensing.subscription.updated:${renewed.events.subscriptionUpdated.id}`);
    await h.settled();
    const all = await h.events.envelopes('licensing.licenses.extended.v1');
    expect(all.filter((e) => e.id === extended.id)).toHaveLength(1);
  });

  const pastDue = fx.pastDue(renewed);
  it('suspends the license when the subscription goes past_due', async () => {
    await h.publishStripeEvent(pastDue.events.subscriptionUpdated);
    const suspended = await h.events.waitFor(
      `licensing.licenses.suspended:${pastDue.events.subscriptionUpdated.id}`,
    );
    expect(suspended.payload).toMatchObject({ customerEmail: email, reason: 'subscription_past_due' });
    expect(await waitForCode('SUSPENDED')).toMatchObject({ valid: false, status: 'suspended' });
    // Dunning keeps the tier.
    expect((await entitlements(h, email)).tier).toBe('PRO');
  });

  const recovered = fx.reactivated(pastDue);
  it('reactivates it when the retried payment succeeds and the subscription is active again', async () => {
    const payment = invoicePayment(order, recovered.invoice, 'subscription_cycle');
    await h.publishEnvelope(PAYMENT_RECORDED_V1, {
      id: `orders.payment.recorded:${payment.paymentId}`,
      payload: payment,
    });
    await h.publishStripeEvent(recovered.events.subscriptionUpdated);
    await h.events.waitFor(`licensing.licenses.reactivated:${recovered.events.subscriptionUpdated.id}`);
    expect(await waitForCode('VALID')).toMatchObject({ status: 'active', expiresAt: payment.periodEnd });
  });

  const upgraded = fx.planChange(recovered, { tier: 'premium' });
  it('moves license and customer to the new tier on a plan change', async () => {
    await h.publishStripeEvent(upgraded.events.subscriptionUpdated);
    const updated = await h.events.waitFor(
      `licensing.subscription.updated:${upgraded.events.subscriptionUpdated.id}`,
    );
    expect(updated.payload).toMatchObject({
      tier: 'PREMIUM',
      previousPlan: { tier: 'PRO', priceId: recovered.price.id },
    });
    // The second link of the email's announcement chain (the first raised it to PRO).
    const tier = await h.events.waitFor(`licensing.tier.changed:${email}:2`);
    expect(tier.payload).toMatchObject({
      previousTier: 'PRO',
      tier: 'PREMIUM',
      features: h.config.tiers.features.PREMIUM,
    });
    expect(await verify(h, key)).toMatchObject({ code: 'VALID', tier: 'PREMIUM' });
    expect(await entitlements(h, email)).toMatchObject({
      tier: 'PREMIUM',
      licenses: [{ tier: 'PREMIUM', status: 'active' }],
    });
  });

  const cancelled = fx.cancellation(upgraded);
  it('revokes the license and drops the customer to FREE when the subscription is deleted', async () => {
    const deleted = cancelled.events.subscriptionDeleted;
    await h.publishStripeEvent(deleted);
    const revoked = await h.events.waitFor(`licensing.licenses.revoked:${deleted.id}`);
    expect(revoked.payload).toMatchObject({
      reason: 'subscription_deleted',
      licenses: [{ status: 'revoked' }],
    });
    await h.events.waitFor(`licensing.subscription.cancelled:${purchase.subscription.id}`);
    const tier = await h.events.waitFor(`licensing.tier.changed:${email}:3`);
    expect(tier.payload).toMatchObject({ previousTier: 'PREMIUM', tier: 'FREE' });
    expect(await verify(h, key)).toMatchObject({ valid: false, code: 'REVOKED', status: 'revoked' });
    expect(await entitlements(h, email)).toMatchObject({
      tier: 'FREE',
      features: h.config.tiers.features.FREE,
    });
  });

  it('does not bring a revoked license back on a late update or a late renewal', async () => {
    const lateUpdate = fx.makeEvent(
      'customer.subscription.updated',
      fx.rebuild(cancelled, { status: 'active' }),
      {
        created: cancelled.clock.next(),
      },
    );
    const lateInvoice = fx.renewal(upgraded).invoice;
    const payment = invoicePayment(order, lateInvoice, 'subscription_cycle');
    await h.publishStripeEvent(lateUpdate);
    await h.publishEnvelope(PAYMENT_RECORDED_V1, {
      id: `orders.payment.recorded:${payment.paymentId}`,
      payload: payment,
    });
    // Both were handled once their facts are stored.
    const stored = (collection: string, id: string) =>
      h.infra.db.collection(collection).findOne({ _id: id as never });
    await waitFor(
      async () =>
        (await stored('subscription_facts', lateUpdate.id)) && (await stored('renewals', lateInvoice.id)),
      {
        what: 'late events handled',
      },
    );
    await h.settled();
    expect(await verify(h, key)).toMatchObject({ code: 'REVOKED' });
    const ids = (await h.events.envelopes()).map((e) => e.id);
    expect(ids).not.toContain(`licensing.subscription.updated:${lateUpdate.id}`);
    expect(ids).not.toContain(`licensing.licenses.extended:${lateInvoice.id}`);
    expect(ids).not.toContain(`licensing.licenses.reactivated:${lateUpdate.id}`);
  });
});
