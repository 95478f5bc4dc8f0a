import { Type } from '@sinclair/typebox';
import type { Connection } from 'mongoose';
import {
  declareConsumers,
  defineEvent,
  type ConsumerDefinition,
  type StreamDefinition,
  type TypedEnvelope,
} from '@billing/contracts';
import { connectTestNats, testEnv, uniqueDbName, waitFor, type TestNats } from '@billing/testkit';
import {
  DirectEmitter,
  Outbox,
  ParkedStore,
  PermanentError,
  connectMongo,
  connectNats,
  createLogger,
  done,
  ensureIndexes,
  envelopeCodec,
  jetStreamPublisher,
  publishWithId,
  replayParked,
  retry,
  startConsumer,
  type Handler,
  type ParkedMessage,
  type NatsHandle,
  type RunningConsumer,
} from '../../src';

const logger = createLogger({ service: 'runner-test', version: 'test', level: 'silent' });

const STREAM: StreamDefinition = {
  name: 'RUNNER_TEST',
  description: 'runner integration test',
  subjects: ['runnertest.>'],
  maxAgeMs: 60_000,
  duplicateWindowMs: 60_000,
  maxMsgBytes: 1024 * 1024,
};
const CONSUMER: ConsumerDefinition = {
  stream: STREAM,
  durable: 'runner-test',
  description: 'runner integration test',
  filterSubjects: ['runnertest.>'],
  ackWaitMs: 5000,
  maxDeliver: -1,
  backoffMs: [5000],
  maxAckPending: 100,
};

const THING_HAPPENED_V1 = defineEvent(
  'runnertest',
  'runnertest.thing.happened',
  1,
  Type.Object({ key: Type.String(), n: Type.Integer() }),
);
type Thing = TypedEnvelope<{ key: string; n: number }>;

let seq = 0;
function envelope(key: string, n: number, id = `thing-${Date.now()}-${seq++}`): Thing {
  return {
    id,
    type: THING_HAPPENED_V1.type,
    version: 1,
    source: 'runnertest',
    occurredAt: new Date().toISOString(),
    correlationId: id,
    causationId: id,
    payload: { key, n },
  };
}

describe('consumer runner, outbox and parking on real JetStream and the Mongo-protocol store', () => {
  let nats: NatsHandle;
  let db: Connection;
  let parked: ParkedStore;
  let testNats: TestNats;
  let running: RunningConsumer | undefined;

  beforeAll(async () => {
    const env = testEnv();
    nats = await connectNats(env.natsUrl, 'runner-test', logger);
    testNats = await connectTestNats(env.natsUrl);
    db = await connectMongo({ url: env.mongoUrl, dbName: uniqueDbName('runner') }, logger);
    parked = new ParkedStore(db);
    await ensureIndexes(db);
  });

  beforeEach(async () => {
    await nats.jsm.streams.delete(STREAM.name).catch(() => undefined);
    await declareConsumers(nats.jsm, [CONSUMER]);
    await db.collection('parked_messages').deleteMany({});
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  afterAll(async () => {
    await db.dropDatabase();
    await db.close();
    await nats.close();
    await testNats.close();
  });

  const publish = (e: Thing | string, id?: string) =>
    typeof e === 'string'
      ? publishWithId(nats.js, 'runnertest.thing.happened.v1', e, id ?? `raw-${seq++}`)
      : publishWithId(nats.js, 'runnertest.thing.happened.v1', JSON.stringify(e), e.id);

  const start = (
    handler: Handler<Thing>,
    extra: {
      keyOf?: (e: Thing) => string;
      retryDelaysMs?: number[];
      park?: (m: ParkedMessage) => Promise<void>;
    } = {},
  ) =>
    startConsumer<Thing>({
      js: nats.js,
      consumer: CONSUMER,
      codec: envelopeCodec([THING_HAPPENED_V1]) as never,
      handlers: { [THING_HAPPENED_V1.subject]: handler },
      logger,
      park: extra.park ?? ((m) => parked.park(m)),
      retryDelaysMs: extra.retryDelaysMs ?? [50, 50, 50],
      concurrency: 4,
      keyOf: extra.keyOf,
    });

  const pendingAcks = async () => {
    const info = await nats.jsm.consumers.info(STREAM.name, CONSUMER.durable);
    return info.num_ack_pending + info.num_pending;
  };

  it('acknowledges handled messages', async () => {
    const seen: number[] = [];
    running = await start(async (e) => {
      seen.push(e.payload.n);
      return done();
    });
    for (let n = 0; n < 5; n++) await publish(envelope('k', n));
    await waitFor(() => seen.length === 5 && pendingAcks().then((p) => p === 0), { what: '5 acks' });
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('retries on the schedule, parks after the last delay, and replays the parked message', async () => {
    let attempts = 0;
    let ready = false;
    const handler: Handler<Thing> = async () => {
      attempts += 1;
      return ready ? done() : retry('order not there yet');
    };
    running = await start(handler);
    const e = envelope('k', 1);
    await publish(e);
    const [record] = await waitFor(() => parked.list().then((l) => l.length === 1 && l), { what: 'parked' });
    expect(attempts).toBe(4);
    expect(record).toMatchObject({
      consumer: 'runner-test',
      messageId: e.id,
      deliveryCount: 4,
      replayedAt: null,
    });
    expect(record!.reason).toMatch(/gave up after 4 attempts: order not there yet/);
    // Terminated right after parking: nothing is left for JetStream to deliver.
    await waitFor(() => pendingAcks().then((p) => p === 0), { what: 'no pending deliveries' });

    ready = true;
    const outcome = await replayParked(
      {
        store: parked,
        codec: envelopeCodec([THING_HAPPENED_V1]) as never,
        handlers: { [THING_HAPPENED_V1.subject]: handler },
        logger,
      },
      record!.id,
    );
    expect(outcome).toEqual({ status: 'done' });
    expect((await parked.get(record!.id))?.replayResult).toBe('done');
  });

  it('keeps a message whose parking failed (database down) and parks it on a later delivery', async () => {
    let parkCalls = 0;
    running = await start(async () => retry('never applicable'), {
      park: async (m) => {
        parkCalls += 1;
        if (parkCalls === 1) throw new Error('database down');
        await parked.park(m);
      },
    });
    const e = envelope('k', 7);
    await publish(e);
    const [record] = await waitFor(() => parked.list().then((l) => l.length === 1 && l), {
      what: 'parked after the failed park',
    });
    expect(record).toMatchObject({ messageId: e.id });
    expect(parkCalls).toBe(2);
  });

  it('parks undecodable and invalid messages at once, and permanent failures without retrying', async () => {
    let calls = 0;
    running = await start(async (e) => {
      calls += 1;
      if (e.payload.n === 13) throw new PermanentError('thirteen is not allowed');
      return done();
    });
    await publish('{not json');
    await publish(JSON.stringify({ ...envelope('k', 1), payload: { key: 'k', n: 'one' } }));
    await publish(envelope('k', 13));
    const list = await waitFor(() => parked.list().then((l) => l.length === 3 && l), { what: '3 parked' });
    const reasons = list.map((p) => p.reason).sort();
    expect(reasons[0]).toMatch(/^invalid: invalid runnertest.thing.happened.v1 payload: \/n/);
    expect(reasons[1]).toMatch(/^invalid: not JSON/);
    expect(reasons[2]).toBe('permanent: thirteen is not allowed');
    expect(calls).toBe(1);

    // Replaying it again says why it cannot be applied (a 409 at the HTTP edge), and keeps it parked.
    const permanent = list.find((p) => p.reason.startsWith('permanent'))!;
    const handler: Handler<Thing> = async () => {
      throw new PermanentError('thirteen is not allowed');
    };
    const replay = replayParked(
      {
        store: parked,
        codec: envelopeCodec([THING_HAPPENED_V1]) as never,
        handlers: { [THING_HAPPENED_V1.subject]: handler },
        logger,
      },
      permanent.id,
    );
    await expect(replay).rejects.toMatchObject({ statusCode: 409, code: 'permanent_failure' });
    expect((await parked.get(permanent.id))?.replayedAt).toBeNull();
  });

  it('handles messages of one key one after another, other keys in parallel', async () => {
    const active = new Map<string, number>();
    let maxSameKey = 0;
    let maxOverall = 0;
    const order: Record<string, number[]> = { a: [], b: [] };
    running = await start(
      async (e) => {
        const k = e.payload.key;
        active.set(k, (active.get(k) ?? 0) + 1);
        maxSameKey = Math.max(maxSameKey, active.get(k)!);
        maxOverall = Math.max(
          maxOverall,
          [...active.values()].reduce((s, v) => s + v, 0),
        );
        await new Promise((r) => setTimeout(r, 30));
        order[k]!.push(e.payload.n);
        active.set(k, active.get(k)! - 1);
        return done();
      },
      { keyOf: (e) => e.payload.key },
    );
    for (let n = 0; n < 6; n++) {
      await publish(envelope('a', n));
      await publish(envelope('b', n));
    }
    await waitFor(() => order.a!.length === 6 && order.b!.length === 6, { what: 'all handled' });
    expect(maxSameKey).toBe(1);
    expect(maxOverall).toBe(2);
    expect(order.a).toEqual([0, 1, 2, 3, 4, 5]);
    expect(order.b).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('publishes an outbox event once, keeps it when NATS refuses, and relays it later', async () => {
    const outbox = new Outbox(db, jetStreamPublisher(nats.js), logger);
    await ensureIndexes(db);
    const input = {
      id: `thing-outbox-${seq++}`,
      payload: { key: 'k', n: 1 },
      correlationId: 'c',
      causationId: 'c',
    };
    await outbox.emitOne(THING_HAPPENED_V1, input);
    await outbox.emitOne(THING_HAPPENED_V1, input);
    let stored = await testNats.messages(STREAM.name);
    expect(stored.filter((m) => m.header?.get('Nats-Msg-Id') === input.id)).toHaveLength(1);
    // A published row leaves the outbox: the relay only ever reads what is still to publish.
    expect(await db.collection('outbox').countDocuments()).toBe(0);

    // A stream that does not take the subject: the publish fails, the row stays pending.
    await nats.jsm.streams.delete(STREAM.name);
    const second = { ...input, id: `thing-outbox-${seq++}` };
    await expect(outbox.emitOne(THING_HAPPENED_V1, second)).rejects.toThrow();
    expect(await outbox.pendingCount()).toBe(1);

    await declareConsumers(nats.jsm, [CONSUMER]);
    expect(await outbox.relayOnce()).toBe(1);
    expect(await outbox.pendingCount()).toBe(0);
    stored = await testNats.messages(STREAM.name);
    const relayed = stored.find((m) => m.header?.get('Nats-Msg-Id') === second.id);
    expect(JSON.parse(Buffer.from(relayed!.data).toString()).payload).toEqual({ key: 'k', n: 1 });
    expect(await db.collection('outbox').countDocuments()).toBe(0);
  });

  it("publishes a handler's events directly, once per id, and refuses a broken payload", async () => {
    const emitter = new DirectEmitter(jetStreamPublisher(nats.js));
    const item = (n: number) => ({
      definition: THING_HAPPENED_V1,
      input: {
        id: `thing-direct-${seq}-${n}`,
        payload: { key: 'd', n },
        correlationId: 'c',
        causationId: 'c',
      },
    });
    await emitter.emit([item(1), item(2)]);
    // A redelivered message emits the same ids again: JetStream keeps the first.
    await emitter.emit([item(1), item(2)]);
    const stored = (await testNats.messages(STREAM.name)).filter((m) =>
      m.header?.get('Nats-Msg-Id')?.startsWith(`thing-direct-${seq}-`),
    );
    expect(stored.map((m) => JSON.parse(Buffer.from(m.data).toString()).payload.n)).toEqual([1, 2]);
    const broken = { ...item(3), input: { ...item(3).input, payload: { key: 'd', n: 1.5 } } };
    await expect(emitter.emit([broken])).rejects.toThrow(/payload invalid/);
    seq++;
  });

  it('refuses to store an event whose payload breaks its own contract', async () => {
    const outbox = new Outbox(db, jetStreamPublisher(nats.js), logger);
    await expect(
      outbox.emitOne(THING_HAPPENED_V1, {
        id: 'bad',
        payload: { key: 'k', n: 1.5 },
        correlationId: 'c',
        causationId: 'c',
      }),
    ).rejects.toThrow(/payload invalid/);
  });
});
