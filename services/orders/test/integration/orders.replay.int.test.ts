import { ORDERS_EVENTS_STREAM, STRIPE_EVENTS_STREAM } from '@billing/contracts';
import { orderIdFor } from '../../src/domain/order-id';
import { sf, stubStripe, useOrders, waitForOrder } from './harness';

type ReplayAnswer = {
  replayed: number;
  items: Array<{
    eventId: string;
    type: string | null;
    consumer: string;
    outcome: string;
    reason: string | null;
  }>;
};

describe('replaying stored Stripe events through the orders consumer', () => {
  const h = useOrders({ prefix: 'orders_replay' });

  async function purchased(email: string) {
    const purchase = sf.oneTimePurchase({ email, lines: [{ unitAmount: 4900, metadata: { sku: 'EBOOK' } }] });
    stubStripe(h.fake, purchase);
    await h.publishStripeEvents(purchase.ordered);
    const orderId = orderIdFor(purchase.session.id);
    await waitForOrder(h, orderId, (o) => o.status === 'confirmed' && o.amountPaid > 0);
    await h.settled();
    return { purchase, orderId };
  }

  const checkoutOf = (purchase: { ordered: ReadonlyArray<{ id: string; type: string }> }) =>
    purchase.ordered.find((e) => e.type === 'checkout.session.completed')!;

  it('runs an applied event again by id without a second effect, and the log says what it did', async () => {
    const { purchase, orderId } = await purchased('replay.byid@example.com');
    const checkout = checkoutOf(purchase);
    const domainEvents = async () =>
      (await h.infra.nats.jsm.streams.info(ORDERS_EVENTS_STREAM.name)).state.messages;
    const before = await domainEvents();
    expect(before).toBeGreaterThan(0);

    const res = await h.api('POST', '/admin/stripe-events/replay', { eventIds: [checkout.id] });
    expect(res.status).toBe(200);
    const answer = res.body as ReplayAnswer;
    expect(answer.replayed).toBe(1);
    expect(answer.items).toEqual([
      {
        eventId: checkout.id,
        type: 'checkout.session.completed',
        consumer: 'orders-stripe',
        // Applied again: the handler finds its effects there (unique keys) and adds none.
        outcome: 'done',
        reason: null,
      },
    ]);

    // One order, one payment, and no new domain event.
    const orders = await h.api('GET', `/orders?email=${encodeURIComponent('replay.byid@example.com')}`);
    expect((orders.body as { items: unknown[] }).items).toHaveLength(1);
    const order = await h.order(orderId);
    expect(order?.payments).toHaveLength(1);
    expect(await domainEvents()).toBe(before);

    // The Stripe events listing shows the replay's outcome.
    const listed = await h.api('GET', `/admin/stripe-events/${checkout.id}`);
    const record = (listed.body as { items: Array<{ messageId: string; outcome: string }> }).items.find(
      (r) => r.messageId === checkout.id,
    );
    expect(record?.outcome).toBe(answer.items[0]!.outcome);
  });

  it('chooses by type and creation time, oldest first, and says when a message is gone', async () => {
    const since = new Date(Date.now() - 5_000).toISOString();
    const first = await purchased('replay.type1@example.com');
    const second = await purchased('replay.type2@example.com');
    const res = await h.api('POST', '/admin/stripe-events/replay', {
      types: ['checkout.session.completed'],
      since,
      consumer: 'orders-stripe',
    });
    expect(res.status).toBe(200);
    const ids = (res.body as ReplayAnswer).items.map((i) => i.eventId);
    expect(ids).toEqual(
      expect.arrayContaining([checkoutOf(first.purchase).id, checkoutOf(second.purchase).id]),
    );
    expect(ids.indexOf(checkoutOf(first.purchase).id)).toBeLessThan(
      ids.indexOf(checkoutOf(second.purchase).id),
    );
    expect((res.body as ReplayAnswer).items.every((i) => i.type === 'checkout.session.completed')).toBe(true);

    // A message no longer in the stream (its age passed) cannot be run again: it says so.
    const handled = await h.api('GET', `/admin/stripe-events/${checkoutOf(first.purchase).id}`);
    const seq = (handled.body as { items: Array<{ messageId: string; streamSequence: number }> }).items.find(
      (r) => r.messageId === checkoutOf(first.purchase).id,
    )!.streamSequence;
    await h.infra.nats.jsm.streams.deleteMessage(STRIPE_EVENTS_STREAM.name, seq);
    const gone = await h.api('POST', '/admin/stripe-events/replay', {
      eventIds: [checkoutOf(first.purchase).id],
    });
    expect((gone.body as ReplayAnswer).items).toEqual([
      expect.objectContaining({ outcome: 'gone', reason: 'no longer in the stream' }),
    ]);
  });

  it('refuses a replay that names nothing, an unknown consumer, and a caller without the token', async () => {
    expect((await h.api('POST', '/admin/stripe-events/replay', {})).body).toMatchObject({
      error: { code: 'no_selection' },
    });
    const unknown = await h.api('POST', '/admin/stripe-events/replay', {
      types: ['invoice.paid'],
      consumer: 'licensing-stripe',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: { code: 'unknown_consumer' } });
    const bad = await h.api('POST', '/admin/stripe-events/replay', { eventIds: ['not-an-event'] });
    expect(bad.status).toBe(400);
    const anonymous = await h.service.http.inject({
      method: 'POST',
      url: '/admin/stripe-events/replay',
      payload: { eventIds: ['evt_1'] },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
