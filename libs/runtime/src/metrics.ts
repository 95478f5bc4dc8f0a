import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';
import { ConfigError, type EnvReader } from './config';
import { cachedFor, type JetStreamState } from './jetstream-state';
import type { Outbox } from './outbox';
import type { ParkedStore } from './parked';

/** Our metric names: the `billing_` namespace; counters end in `_total`, durations in `_seconds`. */
type Name = `billing_${string}`;

/** Latency buckets in seconds, from 5 ms (a local publish) to 30 s (a slow webhook receiver). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One value of a gauge read at scrape time. */
export interface GaugeSample<L extends string> {
  labels: LabelValues<L>;
  value: number;
}

/**
 * The Prometheus registry of one process (one replica in a test), with typed constructors that
 * keep to our naming rules. Created by the process and passed through the deps like a logger,
 * never a module-level singleton, so two services (or replicas) in one test process stay apart.
 * Defining a counter or histogram twice returns the first one: a component may define what it
 * records where it records it, however often it is built.
 * @see https://prometheus.io/docs/practices/naming/
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly collectErrors: Counter<'metric'>;

  constructor(options: { service: string; processMetrics?: boolean }) {
    this.registry.setDefaultLabels({ service: options.service });
    // The standard process_* and nodejs_* metrics (CPU, memory, event loop lag, GC), under their
    // usual names so that existing dashboards and alerts apply.
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.collectErrors = this.counter(
      'billing_metrics_collect_errors_total',
      'Gauges read at scrape time whose source (the database, JetStream) failed; their series are left out',
      ['metric'],
    );
  }

  counter<L extends string = never>(
    name: `${Name}_total`,
    help: string,
    labelNames: readonly L[] = [],
  ): Counter<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Counter<L>;
    return new Counter({ name, help, labelNames: [...labelNames], registers: [this.registry] });
  }

  histogram<L extends string = never>(
    name: `${Name}_seconds`,
    help: string,
    labelNames: readonly L[] = [],
    buckets: readonly number[] = LATENCY_BUCKETS,
  ): Histogram<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Histogram<L>;
    return new Histogram({
      name,
      help,
      labelNames: [...labelNames],
      buckets: [...buckets],
      registers: [this.registry],
    });
  }

  /**
   * A gauge whose values are read when scraped (a count in the database, JetStream's view of a
   * consumer). Defining it again replaces the reader, so a service built again on the same
   * connections reports its own state. A reader that fails leaves its series out of that scrape
   * and counts in `billing_metrics_collect_errors_total`.
   */
  gauge<L extends string = never>(
    name: Name,
    help: string,
    labelNames: readonly L[],
    read: () => Promise<ReadonlyArray<GaugeSample<L>>>,
  ): void {
    this.registry.removeSingleMetric(name);
    const collectErrors = this.collectErrors;
    new Gauge<L>({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.registry],
      async collect() {
        this.reset();
        const samples = await read().catch(() => {
          collectErrors.inc({ metric: name });
          return [];
        });
        for (const { labels, value } of samples) this.set(labels, value);
      },
    });
  }

  /** The text exposition format, and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * `METRICS_TOKEN`: a bearer token for `GET /metrics` only, for a Prometheus that should not hold
 * the admin token. Optional; at least 16 characters when set.
 */
export function readMetricsToken(reader: EnvReader): string | undefined {
  const token = reader.optionalString('METRICS_TOKEN');
  if (token !== undefined && token.length < 16) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters');
  }
  return token;
}

export type PublishOutcome = 'stored' | 'duplicate' | 'failed';

/** Records how long a JetStream publish took until its PubAck (or failure). */
export type PublishObserver = (outcome: PublishOutcome, seconds: number) => void;

export function publishObserver(metrics: Metrics): PublishObserver {
  const histogram = metrics.histogram(
    'billing_jetstream_publish_duration_seconds',
    'Time from publishing a message to JetStream until its PubAck, by outcome (duplicate: already stored under its id)',
    ['outcome'],
  );
  return (outcome, seconds) => histogram.observe({ outcome }, seconds);
}

/** Seconds since `start` (a `process.hrtime.bigint()` reading). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * The gauges of a consuming service read at scrape time: each durable consumer's backlog as
 * JetStream sees it (the same for every replica), the parked messages not replayed yet, and the
 * outbox's unpublished events. The database reads are counts on indexes (see ParkedStore and
 * Outbox), so a scrape costs the same however long the history is.
 */
export function watchServiceState(
  metrics: Metrics,
  sources: {
    jetstream: JetStreamState;
    parked: Pick<ParkedStore, 'pendingCount'>;
    outbox: Pick<Outbox, 'backlog'>;
  },
): void {
  const { consumers } = sources.jetstream;
  // A consumer missing on the server (being declared again) is left out, the others reported.
  const infos = async () => (await sources.jetstream.consumerStates()).consumers;
  metrics.gauge(
    'billing_consumer_pending_messages',
    'Messages in the stream not yet delivered to the durable consumer (its lag), from JetStream',
    ['consumer'],
    async () => (await infos()).map(({ consumer, pending }) => ({ labels: { consumer }, value: pending })),
  );
  metrics.gauge(
    'billing_consumer_ack_pending_messages',
    'Messages delivered to the durable consumer and not acknowledged yet (in flight or waiting for a retry), from JetStream',
    ['consumer'],
    async () =>
      (await infos()).map(({ consumer, ackPending }) => ({ labels: { consumer }, value: ackPending })),
  );
  metrics.gauge(
    'billing_parked_messages',
    'Parked messages not replayed yet, by the consumer that parked them',
    ['consumer'],
    async () =>
      Promise.all(
        consumers.map(async (c) => ({
          labels: { consumer: c.durable },
          value: await sources.parked.pendingCount(c.durable),
        })),
      ),
  );
  // Both outbox gauges of one scrape share one read.
  const backlog = cachedFor(1000, () => sources.outbox.backlog());
  metrics.gauge(
    'billing_outbox_unpublished_events',
    'Domain events stored in the outbox and not published yet',
    [],
    async () => [{ labels: {}, value: (await backlog()).count }],
  );
  metrics.gauge(
    'billing_outbox_oldest_unpublished_age_seconds',
    'Age of the oldest domain event in the outbox not published yet (0 when there is none)',
    [],
    async () => {
      const { oldestCreatedAt } = await backlog();
      const age = oldestCreatedAt ? Math.max(0, (Date.now() - oldestCreatedAt.getTime()) / 1000) : 0;
      return [{ labels: {}, value: age }];
    },
  );
}
