import { connect } from '@nats-io/transport-node';
import {
  CONSUMERS_OF,
  LICENSING_EVENTS_STREAM,
  ORDERS_EVENTS_STREAM,
  ORDER_CONFIRMED_V1,
  STRIPE_EVENTS_STREAM,
  declareConsumers,
  declareStreams,
  stripeEventSubject,
  stripeV2EventSubject,
} from '@billing/contracts';
import { connectTestNats, startNatsServer, waitFor, type NatsServer, type TestNats } from '@billing/testkit';
import { JetStreamState, connectNats, createLogger, publishWithId, type NatsHandle } from '../../src';

const logger = createLogger({ service: 'bus-security-test', version: 'test', level: 'silent' });

describe('the bus: every service has its own identity and may only do its own work', () => {
  let server: NatsServer;
  let admin: TestNats;
  const handles: NatsHandle[] = [];
  const as = async (identity: 'gateway' | 'orders' | 'licensing' | 'notifications') => {
    const handle = await connectNats(server.urlFor(identity), identity, logger, 2000);
    handles.push(handle);
    return handle;
  };
  const stored = async (stream: string) => (await admin.jsm.streams.info(stream)).state.messages;

  beforeAll(async () => {
    server = await startNatsServer();
    admin = await connectTestNats(server.url);
    await declareStreams(admin.jsm, [STRIPE_EVENTS_STREAM, ORDERS_EVENTS_STREAM, LICENSING_EVENTS_STREAM]);
  });

  afterAll(async () => {
    await Promise.all(handles.map((h) => h.close()));
    await admin.close();
    await server.destroy();
  });

  it('refuses a client without credentials, and one with a wrong password', async () => {
    await expect(connect({ servers: server.anonymousUrl, reconnect: false })).rejects.toThrow(
      /Authorization/i,
    );
    const wrong = server.urlFor('orders').replace(/:[^:@]+@/, ':not-the-password@');
    await expect(connectNats(wrong, 'orders', logger)).rejects.toThrow(/Authorization/i);
  });

  it('lets the gateway store Stripe events and nothing else', async () => {
    const gateway = await as('gateway');
    await publishWithId(gateway.js, stripeEventSubject('invoice.paid'), '{}', 'evt_allowed');
    await publishWithId(gateway.js, stripeV2EventSubject('v2.core.event_destination.ping'), '{}', 'evt_v2');
    expect(await stored(STRIPE_EVENTS_STREAM.name)).toBe(2);
    await expect(
      publishWithId(gateway.js, ORDER_CONFIRMED_V1.subject, '{}', 'orders.order.confirmed:forged'),
    ).rejects.toThrow(/permission/i);
    expect(await stored(ORDERS_EVENTS_STREAM.name)).toBe(0);
  });

  it('does not let licensing forge an order, nor orders forge a Stripe event', async () => {
    const licensing = await as('licensing');
    await expect(
      publishWithId(licensing.js, ORDER_CONFIRMED_V1.subject, '{}', 'orders.order.confirmed:forged'),
    ).rejects.toThrow(/permission/i);
    const orders = await as('orders');
    await expect(
      publishWithId(orders.js, stripeEventSubject('customer.subscription.deleted'), '{}', 'evt_forged'),
    ).rejects.toThrow(/permission/i);
    expect(await stored(ORDERS_EVENTS_STREAM.name)).toBe(0);
    expect(await stored(STRIPE_EVENTS_STREAM.name)).toBe(2);
    // Its own events it may publish.
    await publishWithId(orders.js, ORDER_CONFIRMED_V1.subject, '{}', 'orders.order.confirmed:own');
    expect(await stored(ORDERS_EVENTS_STREAM.name)).toBe(1);
  });

  it("keeps a service from listening to another's replies or changing another's stream", async () => {
    const orders = await as('orders');
    const errors: string[] = [];
    void (async () => {
      for await (const s of orders.nc.status()) if (s.type === 'error') errors.push(String(s.error));
    })();
    orders.nc.subscribe('_INBOX_licensing.>');
    await waitFor(() => errors.some((e) => /permission/i.test(e)), { what: 'a permissions violation' });
    await expect(orders.jsm.streams.delete(LICENSING_EVENTS_STREAM.name)).rejects.toThrow();
    await expect(
      orders.jsm.streams.update(STRIPE_EVENTS_STREAM.name, { max_age: 1_000_000_000 }),
    ).rejects.toThrow();
    expect((await admin.jsm.streams.info(LICENSING_EVENTS_STREAM.name)).config.name).toBe('LICENSING_EVENTS');
  });

  it("lets a service read its own consumers' state and the streams they read (GET /admin/consumers)", async () => {
    await declareConsumers(admin.jsm, CONSUMERS_OF.licensing);
    const licensing = await as('licensing');
    const state = new JetStreamState(licensing.jsm, CONSUMERS_OF.licensing, 0);
    const { consumers, missing } = await state.consumerStates();
    expect(missing).toEqual([]);
    expect(consumers.map((c) => c.consumer).sort()).toEqual(
      CONSUMERS_OF.licensing.map((c) => c.durable).sort(),
    );
    const streams = await state.streamSubjects();
    const stripe = streams.find((s) => s.stream === STRIPE_EVENTS_STREAM.name)!;
    expect(stripe.subjects).toContainEqual({ subject: stripeEventSubject('invoice.paid'), messages: 1 });
    // Not another service's consumers, though they exist.
    await declareConsumers(admin.jsm, CONSUMERS_OF.orders);
    const foreign = new JetStreamState(licensing.jsm, CONSUMERS_OF.orders, 0);
    await expect(foreign.consumerStates()).rejects.toThrow(/permission/i);
  });

  it('lets the ops identity read every stream and change nothing', async () => {
    const ops = await connectTestNats(server.urlFor('ops'));
    try {
      expect(await ops.messages(STRIPE_EVENTS_STREAM.name)).toHaveLength(2);
      await expect(ops.jsm.streams.delete(STRIPE_EVENTS_STREAM.name)).rejects.toThrow();
      ops.nc.publish(stripeEventSubject('invoice.paid'), '{}');
      await ops.nc.flush();
      expect(await stored(STRIPE_EVENTS_STREAM.name)).toBe(2);
    } finally {
      await ops.close();
    }
  });
});
