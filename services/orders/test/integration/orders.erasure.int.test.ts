import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import { CustomerErasureRepository } from '../../src/db/customer-erasure.repository';
import { orderIdFor } from '../../src/domain/order-id';
import {
  sf,
  useOrders,
  stubStripe,
  TOKEN,
  waitForDomainEvent,
  waitForOrder,
  type OrdersContext,
} from './harness';

/** Every collection of the orders database that could hold a customer's data. */
const COLLECTIONS = [
  'customers',
  'orders',
  'order_facts',
  'order_links',
  'payments',
  'refunds',
  'stock_movements',
  'customer_erasures',
  'outbox',
  // What each consumer did with each message, with the email of the Stripe events that carried it.
  'handled_messages',
];

/**
 * The documents of those collections as text, read with the driver itself: the service's
 * connection records its queries for the index check, and this test reads whole collections.
 */
async function storeText(db: Connection): Promise<string> {
  const native = db.getClient().db(db.name);
  const parts: string[] = [];
  for (const name of COLLECTIONS)
    parts.push(JSON.stringify(await native.collection(name).find({}).toArray()));
  return parts.join('\n').toLowerCase();
}

const hash = (email: string) => createHash('sha256').update(email).digest('hex').slice(0, 16);

async function purchase(h: OrdersContext, email: string) {
  const bought = sf.oneTimePurchase({
    email,
    clientReferenceId: 'cart-7',
    metadata: { userId: 'u-7', phone: '+1 555 0100' },
    lines: [{ unitAmount: 8000, metadata: { sku: 'EBOOK' } }],
  });
  stubStripe(h.fake, bought);
  await h.publishStripeEvents(bought.ordered);
  const orderId = orderIdFor(bought.session.id);
  await waitForOrder(h, orderId, (o) => o.status === 'confirmed' && o.amountPaid > 0);
  return { bought, orderId };
}

describe('erasing a customer: DELETE /customers/:email/data', () => {
  const h = useOrders({ prefix: 'orders_erasure' });

  const erase = (email: string, authorization?: string) =>
    h.main.service.http.inject({
      method: 'DELETE',
      url: `/customers/${encodeURIComponent(email)}/data`,
      ...(authorization !== undefined && { headers: { authorization } }),
    });

  it('pseudonymizes the customer, orders, payments and refunds, keeps the money, and tells the other services', async () => {
    const email = 'erase.me@example.com';
    const placeholder = `erased-${hash(email)}@erased.invalid`;
    const { bought, orderId } = await purchase(h, 'Erase.Me@Example.com');
    const refund = sf.partialRefund(bought, { amount: 3000 });
    stubStripe(h.fake, refund);
    await h.publishStripeEvent(refund.events.chargeRefunded);
    await waitForOrder(h, orderId, (o) => o.status === 'partially_refunded');
    const other = await purchase(h, 'keep@example.com');

    // Without the admin token nothing happens.
    for (const authorization of [undefined, 'Bearer not-the-token-0123456789']) {
      const res = await erase(email, authorization);
      expect([res.statusCode, res.json()]).toEqual([
        401,
        { error: { code: 'unauthorized', message: expect.any(String) } },
      ]);
    }
    expect((await h.api('GET', `/customers/${email}`)).status).toBe(200);

    const res = await erase('ERASE.ME@example.com', `Bearer ${TOKEN}`);
    expect(res.statusCode).toBe(202);
    const answer = res.json();
    expect(answer).toEqual({
      placeholder,
      erasedAt: expect.any(String),
      eventId: `orders.customer.erased:${hash(email)}:1`,
      erased: { customers: 1, orders: 1, payments: 1, refunds: 1 },
    });

    // No document names the email any more; the financial record is intact under the placeholder.
    expect(await storeText(h.main.infra.db)).not.toContain(email);
    const order = (await h.order(orderId))!;
    expect(order).toMatchObject({
      customerEmail: placeholder,
      customerName: null,
      metadata: {},
      status: 'partially_refunded',
      amountTotal: 8000,
      amountPaid: 8000,
      amountRefunded: 3000,
      stripeCustomerId: bought.customerId,
    });
    expect(order.payments).toEqual([
      expect.objectContaining({ customerEmail: placeholder, amount: 8000, receiptUrl: null }),
    ]);
    expect(order.refunds).toEqual([expect.objectContaining({ refundId: refund.refund.id, amount: 3000 })]);
    expect(await h.api('GET', `/customers/${email}`)).toMatchObject({ status: 404 });
    // The operators' view of the Stripe events finds them under the placeholder only.
    expect((await h.api('GET', `/admin/stripe-events?email=${email}`)).body.items).toEqual([]);
    expect((await h.api('GET', `/admin/stripe-events?email=${placeholder}`)).body.items).not.toEqual([]);
    expect(await h.api('GET', `/customers/${placeholder}`)).toMatchObject({
      status: 200,
      body: { email: placeholder, name: null, stripeCustomerIds: [bought.customerId] },
    });
    // Another customer is untouched.
    expect(await h.order(other.orderId)).toMatchObject({
      customerEmail: 'keep@example.com',
      customerName: 'Jenny Rosen',
    });

    // The event the other services erase from, once.
    const event = await waitForDomainEvent(h, answer.eventId);
    expect(event).toMatchObject({
      type: 'orders.customer.erased',
      version: 1,
      source: 'orders',
      payload: { email, placeholder, erasedAt: answer.erasedAt },
    });

    // Repeating the request erases nothing more here and tells the other services again (a new
    // erasure: they may have stored something since).
    const again = await erase(email, `Bearer ${TOKEN}`);
    expect([again.statusCode, again.json()]).toEqual([
      202,
      {
        placeholder,
        erasedAt: expect.any(String),
        eventId: `orders.customer.erased:${hash(email)}:2`,
        erased: { customers: 0, orders: 0, payments: 0, refunds: 0 },
      },
    ]);
    await waitForDomainEvent(h, again.json().eventId);
    expect((await h.domainEvents()).filter((e) => e.id === answer.eventId)).toHaveLength(1);
    expect(await storeText(h.main.infra.db)).not.toContain(email);

    // Two requests that read the same last erasure race for one insert and share its record.
    const erasures = new CustomerErasureRepository(h.main.infra.db);
    const last = await erasures.last(hash(email));
    const record = (requestId: string) => ({
      emailHash: hash(email),
      placeholder,
      erasedAt: new Date(),
      requestId,
    });
    const [one, two] = await Promise.all([
      erasures.next(last, record('a')),
      erasures.next(last, record('b')),
    ]);
    expect(two).toEqual(one);
    expect(one._id).toBe(`${hash(email)}:3`);

    // The customer comes back and is erased again.
    const back = await purchase(h, email);
    const later = await erase(email, `Bearer ${TOKEN}`);
    expect([later.statusCode, later.json()]).toEqual([
      202,
      {
        placeholder,
        erasedAt: expect.any(String),
        eventId: `orders.customer.erased:${hash(email)}:4`,
        erased: { customers: 1, orders: 1, payments: 1, refunds: 0 },
      },
    ]);
    await waitForDomainEvent(h, later.json().eventId);
    expect(await storeText(h.main.infra.db)).not.toContain(email);
    expect((await h.api('GET', `/customers/${placeholder}`)).body.stripeCustomerIds.sort()).toEqual(
      [bought.customerId, back.bought.customerId].sort(),
    );
  });

  it('answers 202 for an email orders does not know (the other services may), and 400 for a placeholder', async () => {
    const email = 'never-bought@example.com';
    const res = await erase(email, `Bearer ${TOKEN}`);
    expect([res.statusCode, res.json()]).toEqual([
      202,
      {
        placeholder: `erased-${hash(email)}@erased.invalid`,
        erasedAt: expect.any(String),
        eventId: `orders.customer.erased:${hash(email)}:1`,
        erased: { customers: 0, orders: 0, payments: 0, refunds: 0 },
      },
    ]);
    await waitForDomainEvent(h, res.json().eventId);

    const placeholder = await erase(res.json().placeholder, `Bearer ${TOKEN}`);
    expect([placeholder.statusCode, placeholder.json()]).toEqual([
      400,
      { error: { code: 'already_erased', message: expect.any(String) } },
    ]);
  });
});
