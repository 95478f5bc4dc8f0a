import { CUSTOMER_ERASED_V1, erasedEmailHash, erasedEmailPlaceholder } from '@billing/contracts';
import { orderLine, orderSnapshot, stripeFixtures as fx } from '@billing/testkit';
import { adminHeaders, entitlements, type LicensingContext, useLicensing, verify } from './harness';
import { PRODUCTS, ebook, issue } from './one-time';

/** Every collection of the licensing database that could hold a customer's data. */
const COLLECTIONS = [
  'licenses',
  'customers',
  'tier_announcements',
  'machines',
  'subscription_facts',
  'subscription_links',
  'renewals',
  'refunds',
  'outbox',
];

/**
 * The documents of those collections as text, read with the driver itself: the service's
 * connection records its queries for the index check, and this test reads whole collections.
 */
async function storeText(h: LicensingContext): Promise<string> {
  const native = h.infra.db.getClient().db(h.infra.db.name);
  const parts: string[] = [];
  for (const name of COLLECTIONS)
    parts.push(JSON.stringify(await native.collection(name).find({}).toArray()));
  return parts.join('\n').toLowerCase();
}

describe('erasing a customer (orders.customer.erased.v1)', () => {
  const h = useLicensing({ LICENSING_PRODUCTS: PRODUCTS });

  it('leaves no trace of the email, keeps the licenses valid and the tier, and changes nothing when repeated', async () => {
    const email = 'gone@example.com';
    const placeholder = erasedEmailPlaceholder(email);
    const p = fx.oneTimePurchase({
      email,
      lines: [
        { productName: 'E-book', metadata: { sku: 'EBOOK-1' } },
        { productName: 'Lifetime Pro', metadata: { sku: 'PRO-LIFE', tier: 'pro' } },
      ],
    });
    const [book, pro] = p.lineItems.data;
    const order = orderSnapshot({
      orderId: `ord_${p.session.id}`,
      checkoutSessionId: p.session.id,
      customerEmail: email,
      stripeCustomerId: p.customerId,
      mode: 'payment',
      lines: [orderLine(book!, 'digital'), orderLine(pro!, 'digital')],
    });
    const licenses = await issue(h, order);
    await h.events.waitFor(`licensing.tier.changed:${email}:1`);
    const key = ebook(licenses).key;
    const activation = await h.service.http.inject({
      method: 'POST',
      url: `/licenses/${key}/activations`,
      payload: { fingerprint: 'fp-1', name: "Gone's laptop" },
    });
    expect(activation.statusCode).toBe(201);
    // Someone else, untouched by the erasure.
    const other = fx.oneTimePurchase({
      email: 'stays@example.com',
      lines: [{ metadata: { sku: 'EBOOK-1' } }],
    });
    await issue(
      h,
      orderSnapshot({
        orderId: `ord_${other.session.id}`,
        checkoutSessionId: other.session.id,
        customerEmail: 'stays@example.com',
        stripeCustomerId: other.customerId,
        mode: 'payment',
        lines: [orderLine(other.lineItems.data[0]!, 'digital')],
      }),
    );
    expect(await storeText(h)).toContain(email);

    const id = `orders.customer.erased:${erasedEmailHash(email)}:1`;
    const payload = { email, erasedAt: new Date().toISOString(), placeholder };
    await h.publishEnvelope(CUSTOMER_ERASED_V1, { id: id, payload: payload });
    await h.settled();

    const text = await storeText(h);
    expect(text).not.toContain(email);
    expect(text).not.toContain("gone's laptop");
    expect(text).toContain('stays@example.com');

    // The licenses are the same licenses, with the same keys, still valid, now the placeholder's.
    for (const license of licenses) {
      expect(await verify(h, license.key)).toMatchObject({ valid: true, code: 'VALID' });
    }
    const under = await entitlements(h, placeholder);
    expect(under.tier).toBe('PRO');
    expect(under.licenses.map((l) => l.key).sort()).toEqual(licenses.map((l) => l.key).sort());
    expect(await entitlements(h, email)).toMatchObject({ tier: 'FREE', licenses: [] });
    // The machine keeps its seat (the fingerprint), not its name.
    expect(await verify(h, key, 'fp-1')).toMatchObject({ valid: true, code: 'VALID' });
    const admin = await h.service.http.inject({
      method: 'GET',
      url: `/admin/licenses/${ebook(licenses).licenseId}`,
      headers: adminHeaders,
    });
    expect(admin.json()).toMatchObject({
      license: { customerEmail: placeholder },
      machines: [expect.objectContaining({ fingerprint: 'fp-1', name: null })],
    });

    // Applied again (a redelivery after the stream's duplicate window): nothing changes, and the
    // erasure announces nothing (no tier change: the tier's history moved with the customer).
    await h.publishEnvelope(CUSTOMER_ERASED_V1, { id: id, payload: payload }, `${id}:again`);
    await h.settled();
    expect(await storeText(h)).toBe(text);
    const announced = (await h.events.envelopes()).filter((e) => e.id.includes('erased-'));
    expect(announced).toEqual([]);
  });
});
