import { randomBytes } from 'node:crypto';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { Connection } from 'mongoose';
import {
  ALL_STREAMS,
  declareConsumers,
  declareStreams,
  makeEnvelope,
  stripeEventSubject,
  type ConsumerDefinition,
  type EventDefinition,
  type PayloadOf,
  type TypedEnvelope,
} from '@billing/contracts';
import { testEnv, uniqueDbName } from './env';
import { connectTestNats, type TestNats } from './jetstream';
import { QueryRecorder } from './query-plans';
import { StreamReader } from './stream-reader';
import { waitFor } from './wait';

/** The part of Fastify's `inject` the context calls (light-my-request's request and answer). */
export interface InjectRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  payload?: object | string;
}
export interface InjectResponse {
  statusCode: number;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json<T = any>(): T;
}

/** A service as its `build...Service` returns it: an HTTP app, and consumers to stop when it has them. */
export interface ServiceUnderTest {
  http: { inject(request: InjectRequest): Promise<InjectResponse>; close(): Promise<unknown> };
  stop?(): Promise<void>;
}

/** The connections a service was built on (structurally, the runtime's `ServiceInfra`). */
export interface ServiceConnections {
  nats: { close(): Promise<void> };
  db?: Connection;
}

/** One started instance: the service and the connections it was built on. */
export interface Started<S extends ServiceUnderTest, I extends ServiceConnections = ServiceConnections> {
  service: S;
  infra: I;
}

export interface ServiceContextOptions {
  /** Prefix of the suite's own database name (`orders_api` gives `orders_api_1a2b3c4d`). */
  name: string;
  /** The service's durable consumers, as declared in the contracts: `settled()` waits for them. */
  consumers?: readonly ConsumerDefinition[];
  /** Bearer token `api()` sends; the subclass configures the service with it. */
  adminToken?: string;
  /** Collections the service may read whole (bounded by configuration, not history). */
  wholeReads?: readonly string[];
  /** A NATS server of the suite's own (e.g. one an outage test stops) instead of the run's. */
  natsUrl?: string;
}

/** Answers are asserted with jest matchers, so their JSON stays loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** An envelope to publish: correlation and causation default to fresh ids. */
export type EnvelopeDraft<T> = {
  id: string;
  payload: T;
  correlationId?: string;
  causationId?: string;
  occurredAt?: Date;
};

/**
 * One service in the test process against the run's NATS and store, in the spirit of Immich's
 * `MediumTestContext`: the suite gets empty streams, its own database, the service started with its
 * consumers, and one way to feed it (Stripe events, domain envelopes), wait for it (`settled`),
 * call it (`api`) and read what it published (`streamReader`). A subclass per service builds the
 * service (`startService`) and adds only what is specific to it. Every query the service ran is
 * explained at `close()`, and a collection scan or in-memory sort fails the suite.
 */
export abstract class ServiceTestContext<
  S extends ServiceUnderTest,
  I extends ServiceConnections = ServiceConnections,
> {
  readonly natsUrl: string;
  readonly dbName: string;
  /** The suite's database on the shared store. */
  readonly mongoUrl: string;
  /** The test's own unrestricted connection, for set-up and checks. */
  nats!: TestNats;
  js!: JetStreamClient;
  /** Every instance started, the first being the one `service` and `api` use. */
  protected readonly instances: Array<Started<S, I>> = [];
  private readonly queries = new QueryRecorder();
  private readonly readers = new Map<string, StreamReader>();

  constructor(readonly options: ServiceContextOptions) {
    const env = testEnv();
    this.natsUrl = options.natsUrl ?? env.natsUrl;
    this.dbName = uniqueDbName(options.name);
    const url = new URL(env.mongoUrl);
    url.pathname = `/${this.dbName}`;
    this.mongoUrl = url.toString();
  }

  /** Builds and starts one instance of the service on `natsUrl` and `mongoUrl`. */
  protected abstract startService(): Promise<Started<S, I>>;

  /** The first instance: the one `service` and `api` use. */
  get main(): Started<S, I> {
    const main = this.instances[0];
    if (!main) throw new Error(`${this.options.name}: the service has not started`);
    return main;
  }

  get service(): S {
    return this.main.service;
  }

  get infra(): I {
    return this.main.infra;
  }

  async start(): Promise<this> {
    this.nats = await connectTestNats(this.natsUrl);
    this.js = jetstream(this.nats.nc);
    // A durable consumer left by an earlier suite would hand this suite's service what that suite
    // published: every suite starts from empty streams, declared from the contracts.
    for (const def of ALL_STREAMS) await this.nats.jsm.streams.delete(def.name).catch(() => undefined);
    await declareStreams(this.nats.jsm, ALL_STREAMS);
    await declareConsumers(this.nats.jsm, this.options.consumers ?? []);
    await this.startInstance();
    return this;
  }

  /** Starts another instance (a second replica on the same database and durable consumers). */
  protected async startInstance(): Promise<Started<S, I>> {
    const started = await this.startService();
    if (started.infra.db) this.queries.watch(started.infra.db);
    this.instances.push(started);
    return started;
  }

  /**
   * Publishes a Stripe event as the gateway stores it; `msgId` defaults to the event id. `extra`:
   * more headers, e.g. the Billing-Account of an event received at `/webhooks/stripe/<label>`.
   */
  async publishStripeEvent(
    event: { id: string; type: string },
    msgId = event.id,
    extra: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    const headers = natsHeaders();
    headers.set('Stripe-Event-Type', event.type);
    for (const [name, value] of Object.entries(extra)) headers.set(name, value);
    await this.js.publish(stripeEventSubject(event.type), JSON.stringify(event), { msgID: msgId, headers });
  }

  /** Publishes Stripe events one after another, in the given order. */
  async publishStripeEvents(
    events: ReadonlyArray<{ id: string; type: string }>,
    extra: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    for (const event of events) await this.publishStripeEvent(event, event.id, extra);
  }

  /** Publishes a domain event as its service does: subject `<type>.v<version>`, msg id = envelope id. */
  async publishEnvelope<D extends EventDefinition>(
    definition: D,
    draft: EnvelopeDraft<PayloadOf<D>>,
    msgId = draft.id,
  ): Promise<TypedEnvelope<PayloadOf<D>>> {
    const envelope = makeEnvelope(definition, {
      correlationId: `evt_${randomBytes(12).toString('hex')}`,
      causationId: `evt_${randomBytes(12).toString('hex')}`,
      ...draft,
    }) as TypedEnvelope<PayloadOf<D>>;
    await this.republish(envelope, msgId);
    return envelope;
  }

  /** Publishes an envelope (again) under this msg id, as a republish after the duplicate window does. */
  async republish(envelope: TypedEnvelope<unknown>, msgId: string): Promise<void> {
    await this.js.publish(`${envelope.type}.v${envelope.version}`, JSON.stringify(envelope), {
      msgID: msgId,
    });
  }

  /**
   * Resolves once the service's consumers have nothing pending or unacknowledged (a handler
   * acknowledges after its work is done or parked) and `quiet()` holds.
   */
  async settled(timeoutMs = 20_000): Promise<void> {
    const last: Record<string, { pending: number; ackPending: number; redelivered: number }> = {};
    await waitFor(
      async () => {
        for (const def of this.options.consumers ?? []) {
          const info = await this.nats.jsm.consumers.info(def.stream.name, def.durable);
          last[def.durable] = {
            pending: info.num_pending,
            ackPending: info.num_ack_pending,
            redelivered: info.num_redelivered,
          };
          if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
        }
        return this.quiet();
      },
      { timeoutMs, what: `${this.options.name} to settle` },
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(last)}`);
    });
  }

  /** What else must hold for `settled()` (e.g. an empty outbox); the consumers are checked already. */
  protected quiet(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** Calls the service's HTTP API with the admin token. */
  async api(
    method: NonNullable<InjectRequest['method']>,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json }> {
    const res = await this.service.http.inject({
      method,
      url,
      headers: this.options.adminToken ? { authorization: `Bearer ${this.options.adminToken}` } : {},
      ...(body !== undefined && { payload: body as object }),
    });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  }

  /** The suite's reader of a stream (one per stream, so each call reads only what is new). */
  streamReader(stream: string): StreamReader {
    let reader = this.readers.get(stream);
    if (!reader) this.readers.set(stream, (reader = new StreamReader(this.nats.jsm, stream)));
    return reader;
  }

  /** Stops one instance: its consumers and HTTP app, then its connections. */
  protected async stopInstance(started: Started<S, I>, dropDatabase = false): Promise<void> {
    await started.service.stop?.();
    await started.service.http.close();
    if (dropDatabase) await started.infra.db?.dropDatabase().catch(() => undefined);
    await started.infra.nats.close();
    await started.infra.db?.close();
  }

  /** Checks the queries, stops every instance, drops the suite's database. */
  async close(): Promise<void> {
    const db = this.instances[0]?.infra.db;
    const failure = db
      ? await this.queries.expectIndexed(db, this.options.wholeReads).catch((err: unknown) => err)
      : undefined;
    const instances = this.instances.splice(0).reverse();
    for (const [i, started] of instances.entries())
      await this.stopInstance(started, i === instances.length - 1);
    await this.nats?.close();
    if (failure) throw failure;
  }
}

type JestHook = (fn: () => Promise<void>) => void;

/**
 * Starts a context in `beforeAll` and closes it in `afterAll`. The returned value stands for the
 * context once started, so tests write `h.api(...)`; touching it outside a test throws.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function useServiceContext<C extends ServiceTestContext<any, any>>(create: () => C): C {
  // Jest's globals, read where they are called: the testkit is also imported outside jest (benchmarks).
  const { beforeAll, afterAll } = globalThis as unknown as Record<'beforeAll' | 'afterAll', JestHook>;
  let context: C | undefined;
  beforeAll(async () => {
    context = await create().start();
  });
  afterAll(async () => {
    await context?.close();
  });
  return new Proxy({} as C, {
    get(_, prop) {
      if (!context) throw new Error(`the service context starts in beforeAll (read ${String(prop)})`);
      const value: unknown = Reflect.get(context, prop, context);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(context) : value;
    },
  });
}
