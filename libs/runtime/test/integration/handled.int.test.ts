import { Type } from '@sinclair/typebox';
import type { Connection } from 'mongoose';
import {
  declareConsumers,
  defineEvent,
  type ConsumerDefinition,
  type StreamDefinition,
  type TypedEnvelope,
} from '@billing/contracts';
import { QueryRecorder, testEnv, uniqueDbName, waitFor } from '@billing/testkit';
import {
  DAY_MS,
  HandledLog,
  ParkedReplayer,
  ParkedStore,
  PermanentError,
  RetentionSweeper,
  connectMongo,
  connectNats,
  createHttpApp,
  createLogger,
  done,
  ensureIndexes,
  envelopeCodec,
  publishWithId,
  registerHandledRoutes,
  replayRoute,
  requireBearer,
  retry,
  skipped,
  startConsumer,
  type HandledRecord,
  type HttpApp,
  type NatsHandle,
  type RunningConsumer,
} from '../../src';

const logger = createLogger({ service: 'handled-test', version: 'test', level: 'silent' });
const TOKEN = 'admin-token-0123456789';

const STREAM: StreamDefinition = {
  name: 'HANDLED_TEST',
  description: 'handled-message log integration test',
  subjects: ['handledtest.>'],
  maxAgeMs: 60_000,
  duplicateWindowMs: 60_000,
  maxMsgBytes: 1024 * 1024,
};
const CONSUMER: ConsumerDefinition = {
  stream: STREAM,
  durable: 'handled-test',
  description: 'handled-message log integration test',
  filterSubjects: ['handledtest.>'],
  ackWaitMs: 5000,
  maxDeliver: -1,
  backoffMs: [5000],
  maxAckPending: 100,
};

const STEP_V1 = defineEvent(
  'handledtest',
  'handledtest.step.happened',
  1,
  Type.Object({ what: Type.String() }),
);
type Step = TypedEnvelope<{ what: string }>;

const stripeEventIdOf = (data: string) => (JSON.parse(data) as Step).correlationId;

let seq = 0;
function envelope(stripeEventId: string, what: string): Step {
  const id = `step-${Date.now()}-${seq++}`;
  return {
    id,
    type: STEP_V1.type,
    version: 1,
    source: 'handledtest',
    occurredAt: new Date().toISOString(),
    correlationId: stripeEventId,
    causationId: stripeEventId,
    payload: { what },
  };
}

describe('handled-message log on real JetStream and the Mongo-protocol store', () => {
  let nats: NatsHandle;
  let db: Connection;
  let handled: HandledLog;
  let parked: ParkedStore;
  let http: HttpApp;
  let running: RunningConsumer | undefined;
  const queries = new QueryRecorder();

  beforeAll(async () => {
    const env = testEnv();
    nats = await connectNats(env.natsUrl, 'handled-test', logger);
    await nats.jsm.streams.delete(STREAM.name).catch(() => undefined);
    await declareConsumers(nats.jsm, [CONSUMER]);
    db = await connectMongo({ url: env.mongoUrl, dbName: uniqueDbName('handled') }, logger);
    queries.watch(db);
    handled = new HandledLog(db);
    parked = new ParkedStore(db);
    await ensureIndexes(db);
    http = createHttpApp({ logger, readiness: {} });
    registerHandledRoutes(http, { handled, auth: requireBearer(TOKEN) });
    await http.ready();
  });

  afterAll(async () => {
    await running?.stop();
    await http.close();
    await nats.jsm.streams.delete(STREAM.name).catch(() => undefined);
    await db.dropDatabase();
    await db.close();
    await nats.close();
  });

  const lookup = async (id: string, token = TOKEN) =>
    http.inject({
      method: 'GET',
      url: `/admin/stripe-events/${id}`,
      headers: { authorization: `Bearer ${token}` },
    });

  it('records done, skipped, retry then done, and parked per message, and the route answers them oldest first', async () => {
    const attempts = new Map<string, number>();
    running = await startConsumer<Step>({
      js: nats.js,
      consumer: CONSUMER,
      codec: envelopeCodec([STEP_V1]) as never,
      handlers: {
        [STEP_V1.subject]: async (e) => {
          const n = (attempts.get(e.id) ?? 0) + 1;
          attempts.set(e.id, n);
          switch (e.payload.what) {
            case 'apply':
              return done();
            case 'skip':
              return skipped('not ours');
            case 'later':
              return n === 1 ? retry('order not there yet') : done();
            default:
              throw new PermanentError('can never apply');
          }
        },
      },
      logger,
      park: (m) => parked.park(m),
      retry: { baseMs: 50, maxDelayMs: 50, retryForMs: 60_000 },
      concurrency: 1,
      recordHandled: (entry) => handled.record(entry),
    });

    const stripeEventId = `evt_test_${Date.now()}`;
    const steps = ['apply', 'skip', 'later', 'never'].map((what) => envelope(stripeEventId, what));
    const other = envelope('evt_other', 'apply');
    for (const e of [...steps, other]) {
      await publishWithId(nats.js, STEP_V1.subject, JSON.stringify(e), e.id);
    }

    const settledAll = (items: HandledRecord[]) =>
      items.length === 4 && items.every((i) => i.outcome !== 'retry') && items;
    const records = await waitFor(() => handled.forStripeEvent(stripeEventId).then(settledAll), {
      what: 'four settled records',
    });
    const byWhat = (what: string) =>
      records.find((r) => r.messageId === steps.find((s) => s.payload.what === what)!.id);
    expect(byWhat('apply')).toMatchObject({
      consumer: 'handled-test',
      subject: STEP_V1.subject,
      stripeEventId,
      outcome: 'done',
      reason: null,
      deliveryCount: 1,
      // Where the stream stores it (published first), and no Stripe facts: it is a domain event.
      streamSequence: 1,
      eventType: null,
      customer: null,
      email: null,
    });
    // Only Stripe events are listed as such; these are domain events.
    expect((await handled.stripeEvents({ limit: 50 })).items).toEqual([]);
    expect(byWhat('skip')).toMatchObject({ outcome: 'skipped', reason: 'not ours', deliveryCount: 1 });
    // Retried once, then applied: one record, its last state wins and its first time stays.
    const later = byWhat('later')!;
    expect(later).toMatchObject({ outcome: 'done', reason: null, deliveryCount: 2 });
    expect(later.lastAt.getTime()).toBeGreaterThan(later.firstAt.getTime());
    expect(byWhat('never')).toMatchObject({ outcome: 'parked', deliveryCount: 1 });
    expect(byWhat('never')!.reason).toMatch(/permanent: can never apply/);
    expect(await parked.list()).toHaveLength(1);

    const answer = await lookup(stripeEventId);
    expect(answer.statusCode).toBe(200);
    const { items } = answer.json<{ items: Array<Record<string, unknown>> }>();
    expect(items.map((i) => i.messageId)).toEqual(steps.map((s) => s.id));
    expect(items.map((i) => i.outcome)).toEqual(['done', 'skipped', 'done', 'parked']);
    expect(items[0]).toMatchObject({ subject: STEP_V1.subject, stripeEventId, deliveryCount: 1 });
    expect(typeof items[0]!.firstAt).toBe('string');

    expect((await lookup('evt_unknown')).json()).toEqual({ items: [] });
    expect((await lookup(stripeEventId, 'wrong-token-0123456789')).statusCode).toBe(401);
  });

  it('says a parked message applied once it was replayed', async () => {
    const replayer = new ParkedReplayer({
      store: parked,
      routes: {
        [CONSUMER.durable]: replayRoute(envelopeCodec([STEP_V1]) as never, {
          [STEP_V1.subject]: async () => done(),
        }),
      },
      logger,
      handled,
    });
    const [record] = await parked.list();
    expect(await replayer.replayOne(record!.id)).toEqual({ status: 'done' });
    const replayed = (await lookup(stripeEventIdOf(record!.data))).json<{ items: HandledRecord[] }>().items;
    expect(replayed.find((i) => i.messageId === record!.messageId)).toMatchObject({
      outcome: 'done',
      reason: 'replayed',
    });
  });

  it('deletes records not handled again within their retention, each query on an index', async () => {
    const sweeper = new RetentionSweeper({
      rules: [handled.retentionRule(30 * DAY_MS)],
      logger,
      clock: () => new Date(Date.now() + 31 * DAY_MS),
    });
    const deleted = await sweeper.sweep();
    expect(deleted['handled-message log']).toBe(5);
    expect(await handled.forStripeEvent('evt_other')).toEqual([]);
    await queries.expectIndexed(db);
  });
});
