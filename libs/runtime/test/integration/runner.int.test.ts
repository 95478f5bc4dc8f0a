import { Type } from '@sinclair/typebox';
import type { Connection } from 'mongoose';
import {
  DEFAULT_MAX_ACK_PENDING,
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
  outboxEvent,
  ParkedReplayer,
  ParkedStore,
  PermanentError,
  RetentionSweeper,
  connectMongo,
  connectNats,
  createLogger,
  done,
  ensureIndexes,
  envelopeCodec,
  jetStreamPublisher,
  publishWithId,
  replayRoute,
  retry,
  startConsumer,
  type Handler,
  type ParkedMessage,
  type RetryPolicy,
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
      retry?: RetryPolicy;
      park?: (m: ParkedMessage) => Promise<void>;
      concurrency?: number;
      consumer?: ConsumerDefinition;
      /** Another connection, as another process has. */
      js?: NatsHandle['js'];
    } = {},
  ) =>
    startConsumer<Thing>({
      js: extra.js ?? nats.js,
      consumer: extra.consumer ?? CONSUMER,
      codec: envelopeCodec([THING_HAPPENED_V1]) as never,
      handlers: { [THING_HAPPENED_V1.subject]: handler },
      logger,
      park: extra.park ?? ((m) => parked.park(m)),
      // About 100 ms of retries: four deliveries, then parked.
      retry: extra.retry ?? { baseMs: 50, maxDelayMs: 50, retryForMs: 100 },
      concurrency: extra.concurrency ?? 4,
      keyOf: extra.keyOf,
      redeclare: (def) => declareConsumers(nats.jsm, [def]),
    });
  const replayer = (handler: Handler<Thing>) =>
    new ParkedReplayer({
      store: parked,
      routes: {
        [CONSUMER.durable]: replayRoute(envelopeCodec([THING_HAPPENED_V1]) as never, {
          [THING_HAPPENED_V1.subject]: handler,
        }),
      },
      logger,
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

  it('retries for the retry period, parks the message as exhausted, and replays it', async () => {
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
      kind: 'exhausted',
      deliveryCount: 4,
      replayedAt: null,
    });
    expect(record!.reason).toMatch(/gave up after 4 attempts: order not there yet/);
    // Exhausted by a passing cause: it gets replays without an operator.
    expect(record!.nextAutoReplayAt).not.toBeNull();
    // Terminated right after parking: nothing is left for JetStream to deliver.
    await waitFor(() => pendingAcks().then((p) => p === 0), { what: 'no pending deliveries' });

    ready = true;
    const outcome = await replayer(handler).replayOne(record!.id);
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
    const reasons = list.map((p) => `${p.kind}: ${p.reason}`).sort();
    expect(reasons[0]).toMatch(/^invalid: invalid runnertest.thing.happened.v1 payload: \/n/);
    expect(reasons[1]).toMatch(/^invalid: not JSON/);
    expect(reasons[2]).toBe('permanent: thirteen is not allowed');
    expect(calls).toBe(1);
    // Nothing comes back by itself when it can never succeed.
    expect(list.every((p) => p.nextAutoReplayAt === null)).toBe(true);

    // Replaying it again says why it cannot be applied (a 409 at the HTTP edge), and keeps it parked.
    const permanent = list.find((p) => p.kind === 'permanent')!;
    const handler: Handler<Thing> = async () => {
      throw new PermanentError('thirteen is not allowed');
    };
    const replay = replayer(handler).replayOne(permanent.id);
    await expect(replay).rejects.toMatchObject({ statusCode: 409, code: 'permanent_failure' });
    expect((await parked.get(permanent.id))?.replayedAt).toBeNull();
  });

  it('parks a programming error at once and retries a dependency error until it passes', async () => {
    const calls: Record<number, number> = { 1: 0, 2: 0 };
    running = await start(async (e) => {
      calls[e.payload.n] = (calls[e.payload.n] ?? 0) + 1;
      if (e.payload.n === 1) throw new TypeError("Cannot read properties of undefined (reading 'id')");
      if (calls[2]! < 3)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ECONNREFUSED' });
      return done();
    });
    await publish(envelope('a', 1));
    await publish(envelope('b', 2));
    const [bug] = await waitFor(() => parked.list().then((l) => l.length === 1 && l), { what: 'bug parked' });
    expect(bug).toMatchObject({ kind: 'bug', deliveryCount: 1, nextAutoReplayAt: null });
    await waitFor(() => calls[2] === 3 && pendingAcks().then((p) => p === 0), {
      what: 'passed on the 3rd try',
    });
    expect(calls[1]).toBe(1);
    expect(await parked.list()).toHaveLength(1);
  });

  it('declares its consumer again when it disappears, and says it is not consuming meanwhile', async () => {
    const seen: number[] = [];
    running = await start(async (e) => {
      seen.push(e.payload.n);
      return done();
    });
    await publish(envelope('k', 1));
    await waitFor(() => seen.length === 1, { what: 'first message' });
    expect(running.isConsuming()).toBe(true);

    await nats.jsm.consumers.delete(STREAM.name, CONSUMER.durable);
    await waitFor(() => !running!.isConsuming(), { what: 'not consuming', timeoutMs: 30_000 });
    await waitFor(() => nats.jsm.consumers.info(STREAM.name, CONSUMER.durable).then(() => true), {
      what: 'the consumer declared again',
      timeoutMs: 30_000,
    });
    await publish(envelope('k', 2));
    await waitFor(() => seen.includes(2), { what: 'consuming again', timeoutMs: 30_000 });
    await waitFor(() => running!.isConsuming(), { what: 'ready again' });
  });

  it('lets new messages through while more than a thousand wait for their next retry', async () => {
    // Messages waiting for a retry count as pending; the contracts' limit must not be reached by them.
    const consumer = { ...CONSUMER, maxAckPending: DEFAULT_MAX_ACK_PENDING };
    await declareConsumers(nats.jsm, [consumer]);
    const waiting = 1100;
    let attempts = 0;
    let handledLater = false;
    running = await start(
      async (e) => {
        if (e.payload.key === 'later') {
          handledLater = true;
          return done();
        }
        attempts += 1;
        return retry('the SMTP server is down');
      },
      { consumer, concurrency: 16, retry: { baseMs: 60_000, maxDelayMs: 60_000, retryForMs: 3_600_000 } },
    );
    await Promise.all(Array.from({ length: waiting }, (_, n) => publish(envelope(`waiting-${n}`, n))));
    await waitFor(() => attempts >= waiting, { what: `${waiting} first attempts`, timeoutMs: 30_000 });
    await publish(envelope('later', 0));
    await waitFor(() => handledLater, { what: 'a new message handled while the others wait' });
  });

  it('keeps a message that waits behind another of its key from being redelivered', async () => {
    const quick: ConsumerDefinition = {
      ...CONSUMER,
      durable: 'runner-test-quick',
      ackWaitMs: 1000,
      backoffMs: [],
    };
    await declareConsumers(nats.jsm, [quick]);
    const deliveries: Record<number, number[]> = { 1: [], 2: [] };
    running = await startConsumer<Thing>({
      js: nats.js,
      consumer: quick,
      codec: envelopeCodec([THING_HAPPENED_V1]) as never,
      handlers: {
        [THING_HAPPENED_V1.subject]: async (e, ctx) => {
          deliveries[e.payload.n]!.push(ctx.deliveryCount);
          // The first holds its key for three ack waits; the second waits for it.
          if (e.payload.n === 1) await new Promise((resolve) => setTimeout(resolve, 3000));
          return done();
        },
      },
      logger,
      park: (m) => parked.park(m),
      retry: { baseMs: 50, maxDelayMs: 50, retryForMs: 100 },
      keyOf: (e) => e.payload.key,
    });
    await publish(envelope('same', 1));
    await publish(envelope('same', 2));
    await waitFor(() => deliveries[2]!.length > 0, { what: 'second handled', timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(deliveries).toEqual({ 1: [1], 2: [1] });
    await running.stop();
    running = undefined;
    await nats.jsm.consumers.delete(STREAM.name, quick.durable);
  });

  it('hands back at stop the messages not started and, after the grace, those still running', async () => {
    // As the contracts declare consumers: no backoff list (which would delay a plain nak). A long
    // ack wait tells a hand-back (at once) apart from a redelivery after the ack wait, with room
    // for a busy machine.
    const consumer = { ...CONSUMER, backoffMs: [], ackWaitMs: 30_000 };
    await declareConsumers(nats.jsm, [consumer]);
    const started: number[] = [];
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    // The stopping replica is a process of its own: its connection closes when it exits, which
    // also ends the pull request it had waiting on the server.
    const stopping = await connectNats(testEnv().natsUrl, 'runner-stopping', logger);
    running = await start(
      async (e) => {
        started.push(e.payload.n);
        await stuck;
        return done();
      },
      { consumer, concurrency: 2, keyOf: (e) => e.payload.key, js: stopping.js },
    );
    // 0 runs (and hangs), 1 waits behind it for its key.
    for (let n = 0; n < 2; n++) await publish(envelope('k', n));
    await waitFor(() => started.length === 1, { what: 'the first message started' });
    const stopAt = Date.now();
    await running.stop({ handBackAfterMs: 300 });
    expect(Date.now() - stopAt).toBeLessThan(2000);
    expect(started).toEqual([0]);
    await stopping.close();

    // Another replica gets the message that was running at once, not after the ack wait (30 s).
    // (The one waiting behind it gets there too; if it was still on its way to the stopping
    // replica when it stopped, only after the ack wait: not asserted here.)
    const seen: number[] = [];
    running = await start(
      async (e) => {
        seen.push(e.payload.n);
        return done();
      },
      { consumer },
    );
    await waitFor(() => seen.includes(0), { what: 'the running one redelivered', timeoutMs: 10_000 });
    release();
  });

  it('keeps apart two parked messages of one sequence number from a stream created twice', async () => {
    const message = (storedAt: Date): ParkedMessage => ({
      consumer: 'runner-test',
      subject: THING_HAPPENED_V1.subject,
      messageId: 'm',
      streamSequence: 7,
      storedAt,
      data: '{}',
      kind: 'exhausted',
      reason: 'r',
      deliveryCount: 3,
    });
    await parked.park(message(new Date('2026-01-01T00:00:00Z')));
    await parked.park(message(new Date('2026-01-01T00:00:00Z'))); // parking retried: no second row
    await parked.park(message(new Date('2026-02-01T00:00:00Z'))); // the stream was created again
    expect(await parked.list()).toHaveLength(2);
  });

  it('summarises parked messages, replays them in bulk by filter, and replays exhausted ones by itself', async () => {
    const message = (n: number, kind: ParkedMessage['kind']): ParkedMessage => ({
      consumer: 'runner-test',
      subject: THING_HAPPENED_V1.subject,
      messageId: `m${n}`,
      streamSequence: n,
      storedAt: new Date(),
      data: JSON.stringify(envelope('k', n)),
      kind,
      reason: kind,
      deliveryCount: 1,
    });
    await parked.park(message(1, 'bug'));
    await parked.park(message(2, 'exhausted'));
    await parked.park(message(3, 'exhausted'));
    expect(await parked.summary()).toEqual([
      { consumer: 'runner-test', kind: 'bug', count: 1, oldestParkedAt: expect.any(Date) },
      { consumer: 'runner-test', kind: 'exhausted', count: 2, oldestParkedAt: expect.any(Date) },
    ]);

    const applied: number[] = [];
    const handler: Handler<Thing> = async (e) => {
      applied.push(e.payload.n);
      return done();
    };
    // After the bug is fixed, the operator replays what it parked.
    expect(await replayer(handler).replayMatching({ kind: 'bug' })).toEqual({
      replayed: 1,
      outcomes: { done: 1, skipped: 0, retry: 0, failed: 0 },
    });
    // The exhausted ones come back by themselves once due; two replicas sweeping at once replay
    // each of them once.
    const later = new Date(Date.now() + 2 * 60 * 60 * 1000);
    const [a, b] = await Promise.all([replayer(handler).sweep(later), replayer(handler).sweep(later)]);
    expect(a + b).toBe(2);
    expect(applied.sort()).toEqual([1, 2, 3]);
    expect(await parked.summary()).toEqual([]);
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
    const outbox = new Outbox(db, jetStreamPublisher(nats.js, STREAM.maxMsgBytes), logger);
    await ensureIndexes(db);
    const input = {
      id: `thing-outbox-${seq++}`,
      payload: { key: 'k', n: 1 },
      correlationId: 'c',
      causationId: 'c',
    };
    await outbox.emit([outboxEvent(THING_HAPPENED_V1, input)]);
    await outbox.emit([outboxEvent(THING_HAPPENED_V1, input)]);
    let stored = await testNats.messages(STREAM.name);
    expect(stored.filter((m) => m.header?.get('Nats-Msg-Id') === input.id)).toHaveLength(1);
    // A published row leaves the outbox: the relay only ever reads what is still to publish.
    expect(await db.collection('outbox').countDocuments()).toBe(0);

    // A stream that does not take the subject: the publish fails, the row stays pending.
    await nats.jsm.streams.delete(STREAM.name);
    const second = { ...input, id: `thing-outbox-${seq++}` };
    await expect(outbox.emit([outboxEvent(THING_HAPPENED_V1, second)])).rejects.toThrow();
    expect(await outbox.pendingCount()).toBe(1);

    await declareConsumers(nats.jsm, [CONSUMER]);
    // Its next attempt is not due yet; once it is, the relay publishes it.
    expect(await outbox.relayOnce()).toBe(0);
    expect(await outbox.relayOnce(100, new Date(Date.now() + 60_000))).toBe(1);
    expect(await outbox.pendingCount()).toBe(0);
    stored = await testNats.messages(STREAM.name);
    const relayed = stored.find((m) => m.header?.get('Nats-Msg-Id') === second.id);
    expect(JSON.parse(Buffer.from(relayed!.data).toString()).payload).toEqual({ key: 'k', n: 1 });
    expect(await db.collection('outbox').countDocuments()).toBe(0);
  });

  it("publishes a handler's events directly, once per id, and refuses a broken payload", async () => {
    const emitter = new DirectEmitter(jetStreamPublisher(nats.js, STREAM.maxMsgBytes));
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

  it('relays each outbox row on its own: one that keeps failing holds up no other', async () => {
    const publisher = jetStreamPublisher(nats.js, STREAM.maxMsgBytes);
    const failing = new Set<string>();
    const outbox = new Outbox(
      db,
      {
        check: publisher.check,
        publish: (e) => (failing.has(e.id) ? Promise.reject(new Error('refused')) : publisher.publish(e)),
      },
      logger,
    );
    await ensureIndexes(db);
    const input = (n: number) => ({
      id: `thing-relay-${seq}-${n}`,
      payload: { key: 'r', n },
      correlationId: 'c',
      causationId: 'c',
    });
    failing.add(input(1).id);
    failing.add(input(2).id);
    await expect(outbox.emit([outboxEvent(THING_HAPPENED_V1, input(1))])).rejects.toThrow('refused');
    await expect(outbox.emit([outboxEvent(THING_HAPPENED_V1, input(2))])).rejects.toThrow('refused');
    failing.delete(input(2).id);
    // The first row keeps failing; the second, stored after it, is published anyway.
    expect(await outbox.relayOnce(100, new Date(Date.now() + 60_000))).toBe(1);
    const rows = await db.collection('outbox').find().toArray();
    expect(rows.map((r) => r._id)).toEqual([input(1).id]);
    expect(rows[0]).toMatchObject({ attempts: 2, lastError: 'refused' });
    seq++;
  });

  it('refuses at once an event larger than a message may be, storing nothing', async () => {
    const outbox = new Outbox(db, jetStreamPublisher(nats.js, 64 * 1024), logger);
    await db.collection('outbox').deleteMany({});
    const huge = { key: 'x'.repeat(80 * 1024), n: 1 };
    await expect(
      outbox.emit([
        outboxEvent(THING_HAPPENED_V1, { id: 'huge', payload: huge, correlationId: 'c', causationId: 'c' }),
      ]),
    ).rejects.toThrow(/bytes, more than the .* bytes a message may have/);
    expect(await db.collection('outbox').countDocuments()).toBe(0);
    const emitter = new DirectEmitter(jetStreamPublisher(nats.js, 64 * 1024));
    await expect(
      emitter.emit([
        {
          definition: THING_HAPPENED_V1,
          input: { id: 'huge', payload: huge, correlationId: 'c', causationId: 'c' },
        },
      ]),
    ).rejects.toBeInstanceOf(PermanentError);
  });

  it('refuses to store an event whose payload breaks its own contract', async () => {
    const outbox = new Outbox(db, jetStreamPublisher(nats.js, STREAM.maxMsgBytes), logger);
    await expect(
      outbox.emit([
        outboxEvent(THING_HAPPENED_V1, {
          id: 'bad',
          payload: { key: 'k', n: 1.5 },
          correlationId: 'c',
          causationId: 'c',
        }),
      ]),
    ).rejects.toThrow(/payload invalid/);
  });
});

describe('retention of parked messages', () => {
  it('deletes replayed messages once their retention has passed and keeps every one not replayed', async () => {
    const env = testEnv();
    const db = await connectMongo({ url: env.mongoUrl, dbName: uniqueDbName('retention') }, logger);
    try {
      const parked = new ParkedStore(db);
      await ensureIndexes(db);
      const day = 24 * 60 * 60 * 1000;
      const now = new Date('2026-06-01T00:00:00Z');
      const ago = (days: number) => new Date(now.getTime() - days * day);
      const park = async (sequence: number, parkedDaysAgo: number, replayedDaysAgo: number | null) => {
        await parked.park(
          {
            consumer: 'c',
            subject: 's',
            messageId: `m${sequence}`,
            streamSequence: sequence,
            storedAt: ago(parkedDaysAgo),
            data: '{}',
            kind: 'permanent',
            reason: 'r',
            deliveryCount: 1,
          },
          ago(parkedDaysAgo),
        );
        const record = (await parked.list()).find((r) => r.messageId === `m${sequence}`);
        if (replayedDaysAgo !== null) await parked.markReplayed(record!.id, 'done', ago(replayedDaysAgo));
      };
      await park(1, 90, 40); // replayed 40 days ago: past a 30-day retention
      await park(2, 90, 10); // replayed 10 days ago: kept
      await park(3, 90, null); // never replayed: kept, however old
      await park(4, 1, null);
      const sweeper = new RetentionSweeper({
        rules: [parked.retentionRule(30 * day)],
        logger,
        clock: () => now,
      });
      expect(await sweeper.sweep()).toEqual({ 'replayed parked messages': 1 });
      const left = await parked.list();
      expect(left.map((r) => r.messageId).sort()).toEqual(['m2', 'm3', 'm4']);
      expect(await sweeper.sweep()).toEqual({ 'replayed parked messages': 0 });
    } finally {
      await db.dropDatabase();
      await db.close();
    }
  });
});
