import { Type } from '@sinclair/typebox';
import type { Connection } from 'mongoose';
import {
  declareConsumers,
  defineEvent,
  type ConsumerDefinition,
  type StreamDefinition,
} from '@billing/contracts';
import {
  QueryRecorder,
  metricValue,
  parseMetrics,
  testEnv,
  uniqueDbName,
  type MetricSample,
} from '@billing/testkit';
import {
  Metrics,
  Outbox,
  ParkedStore,
  connectMongo,
  connectNats,
  createLogger,
  ensureIndexes,
  publishWithId,
  watchServiceState,
  JetStreamState,
  type EnvelopePublisher,
  type NatsHandle,
  type ParkedMessage,
} from '../../src';

const logger = createLogger({ service: 'metrics-test', version: 'test', level: 'silent' });

const STREAM: StreamDefinition = {
  name: 'METRICS_TEST',
  description: 'metrics integration test',
  subjects: ['metricstest.>'],
  maxAgeMs: 60_000,
  duplicateWindowMs: 60_000,
  maxMsgBytes: 1024 * 1024,
};
const CONSUMER: ConsumerDefinition = {
  stream: STREAM,
  durable: 'metrics-test',
  description: 'metrics integration test',
  filterSubjects: ['metricstest.>'],
  ackWaitMs: 5000,
  maxDeliver: -1,
  backoffMs: [5000],
  maxAckPending: 100,
};

/** A publisher whose server never acknowledges: every emitted event stays in the outbox. */
const unreachable: EnvelopePublisher = {
  check: () => undefined,
  publish: () => Promise.reject(new Error('no PubAck')),
};

const THING_V1 = defineEvent('metricstest', 'metricstest.thing', 1, Type.Object({}));

const parkedMessage = (streamSequence: number): ParkedMessage => ({
  consumer: CONSUMER.durable,
  subject: 'metricstest.thing',
  messageId: `m-${streamSequence}`,
  streamSequence,
  storedAt: new Date(),
  data: '{}',
  kind: 'exhausted',
  reason: 'test',
  deliveryCount: 5,
});

describe('scrape-time gauges on real JetStream and the Mongo-protocol store', () => {
  let nats: NatsHandle;
  let db: Connection;
  const queries = new QueryRecorder();

  beforeAll(async () => {
    const env = testEnv();
    nats = await connectNats(env.natsUrl, 'metrics-test', logger);
    await nats.jsm.streams.delete(STREAM.name).catch(() => undefined);
    await declareConsumers(nats.jsm, [CONSUMER]);
    db = await connectMongo({ url: env.mongoUrl, dbName: uniqueDbName('metrics') }, logger);
    queries.watch(db);
  });

  afterAll(async () => {
    await nats.jsm.streams.delete(STREAM.name).catch(() => undefined);
    await db.dropDatabase();
    await db.close();
    await nats.close();
  });

  it('reports the consumer backlog, parked messages not replayed, and the outbox, each read on an index', async () => {
    const metrics = new Metrics({ service: 'test', processMetrics: false });
    const parked = new ParkedStore(db);
    const outbox = new Outbox(db, unreachable, logger);
    await ensureIndexes(db);
    watchServiceState(metrics, { jetstream: new JetStreamState(nats.jsm, [CONSUMER]), parked, outbox });

    for (let i = 0; i < 3; i++) await publishWithId(nats.js, 'metricstest.thing', '{}', `msg-${i}`);
    await parked.park(parkedMessage(1));
    await parked.park(parkedMessage(2));
    await parked.markReplayed((await parked.list())[0]!.id, 'applied');
    await expect(
      outbox.emit([
        { definition: THING_V1, input: { id: 'evt-1', payload: {}, correlationId: 'c', causationId: 'c' } },
      ]),
    ).rejects.toThrow('no PubAck');
    await new Promise((r) => setTimeout(r, 20));

    const samples: MetricSample[] = parseMetrics((await metrics.exposition()).body);
    const consumer = { consumer: CONSUMER.durable };
    expect(metricValue(samples, 'billing_consumer_pending_messages', consumer)).toBe(3);
    expect(metricValue(samples, 'billing_consumer_ack_pending_messages', consumer)).toBe(0);
    expect(metricValue(samples, 'billing_parked_messages', consumer)).toBe(1);
    expect(metricValue(samples, 'billing_outbox_unpublished_events')).toBe(1);
    const age = metricValue(samples, 'billing_outbox_oldest_unpublished_age_seconds')!;
    expect(age).toBeGreaterThan(0);
    expect(age).toBeLessThan(10);
    expect(metricValue(samples, 'billing_metrics_collect_errors_total')).toBe(undefined);

    // Nothing of the scrape reads a collection or sorts in memory.
    await queries.expectIndexed(db);
  });
});
