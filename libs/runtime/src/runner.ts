import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { ConsumerDefinition } from '@billing/contracts';
import type { Codec } from './codecs';
import type { HandledEntry } from './handled';
import type { Logger } from './logger';
import { secondsSince, type Metrics } from './metrics';
import { isStripeEventSubject, stripeEventFacts } from './stripe-event-facts';
import { classifyFailure, maxDeliveries, retryDelayMs, type RetryPolicy } from './retry';
import { consumeSpan } from './tracing';

/** What a handler reports; it never touches the NATS message itself. */
export type Outcome =
  | { status: 'done' }
  | { status: 'skipped'; reason: string }
  /** Not applicable yet (e.g. the order does not exist yet): try again later, then park. */
  | { status: 'retry'; reason: string };

export const done = (): Outcome => ({ status: 'done' });
export const skipped = (reason: string): Outcome => ({ status: 'skipped', reason });
export const retry = (reason: string): Outcome => ({ status: 'retry', reason });

export interface HandlerContext {
  messageId: string;
  correlationId: string;
  subject: string;
  /** 1 for the first delivery. */
  deliveryCount: number;
  logger: Logger;
  /**
   * The message's headers (first value of each), e.g. the gateway's Billing-Account and
   * Stripe-Account on a Stripe event; kept with a parked message for its replay.
   */
  headers?: Readonly<Record<string, string>>;
}

export type Handler<E> = (event: E, ctx: HandlerContext) => Promise<Outcome>;

/**
 * Why a message was parked: `invalid` (not JSON, or it breaks its contract), `permanent` (the
 * handler says it can never succeed), `bug` (a programming error, thrown on every attempt), or
 * `exhausted` (it kept failing for a passing reason for the whole retry period). Only `exhausted`
 * messages are replayed without an operator (see ParkedStore).
 */
export type ParkKind = 'invalid' | 'permanent' | 'bug' | 'exhausted';

/** A message the runner gave up on; an operator can see it and replay it. */
export interface ParkedMessage {
  consumer: string;
  subject: string;
  messageId: string | null;
  streamSequence: number;
  /** When the stream stored it: with the sequence, unique even after the stream is re-created. */
  storedAt: Date;
  data: string;
  /** The message's headers, given to the handler again on replay. */
  headers?: Record<string, string>;
  kind: ParkKind;
  reason: string;
  deliveryCount: number;
}

export interface RunnerOptions<E> {
  js: JetStreamClient;
  consumer: ConsumerDefinition;
  codec: Codec<E>;
  /** Handlers by route (Stripe event type, or envelope subject). Other routes are acknowledged as skipped. */
  handlers: Readonly<Record<string, Handler<E>>>;
  logger: Logger;
  /** Stores a message the runner gives up on. If it throws, the message is retried instead. */
  park: (message: ParkedMessage) => Promise<void>;
  retry: RetryPolicy;
  /** Messages handled at once by this process. */
  concurrency?: number;
  /** Messages with the same key are handled one after another (e.g. the Stripe customer). */
  keyOf?: (event: E) => string | undefined;
  /** Declares the consumer (and its stream) again after it disappeared from the server. */
  redeclare?: (consumer: ConsumerDefinition) => Promise<void>;
  /** Where messages handled (by outcome) and handling time are counted. */
  metrics?: Metrics;
  /**
   * Told what was done with each decoded message after it was settled (see HandledLog). It
   * decides nothing: when it throws, that is logged and the message stays settled.
   */
  recordHandled?: (entry: HandledEntry) => Promise<void>;
}

/** How the runner settled a message: acknowledged (done, skipped), handed back (retry), parked. */
export type ConsumerOutcome = 'done' | 'skipped' | 'retry' | 'parked';

/** How a message was settled, and why when it was not done. */
interface Settled {
  outcome: ConsumerOutcome;
  reason: string | null;
}

export interface RunningConsumer {
  /**
   * Stops pulling and hands back at once every message that has not started (nak: another
   * replica gets it now, not after the ack wait). Handlers in flight get `handBackAfterMs`
   * (default: as long as they take) to finish; the messages of those still running then are
   * handed back too, and stop resolves. Handlers are idempotent, so one that still ends its
   * work meanwhile does no harm. A message still on its way to this process when it stops is
   * not among them: the server redelivers it after the ack wait.
   */
  stop(options?: { handBackAfterMs?: number }): Promise<void>;
  /** Resolves when the consume loop ends (after stop, or when it fails). */
  readonly finished: Promise<void>;
  /** False while the consumer (or its stream) is missing on the server or its heartbeats stopped. */
  isConsuming(): boolean;
}

const text = new TextDecoder();

/** JetStream reports a missing consumer or stream through these status events. */
const MISSING = new Set(['consumer_deleted', 'consumer_not_found', 'stream_not_found']);

/**
 * The JetStream loop shared by every service: decode, validate, call the handler, then
 * ack / nak(delay) / park+term. Bounded concurrency; same-key messages stay in order.
 *
 * - A passing failure (a `retry` outcome, a dependency's error) is retried with exponential
 *   backoff and jitter until the retry period ends, then parked; the count is JetStream's
 *   delivery count, so it survives restarts. A retried message goes back to the server, so it
 *   never holds up the others.
 * - A message that can never succeed (undecodable, a PermanentError, a programming error) is
 *   parked at once.
 * - Only as many messages are pulled as can start, and every message is kept alive (`working`)
 *   from the moment it arrives, so one waiting behind a slow one of the same key is not
 *   redelivered while it waits.
 * - When the consumer or its stream disappears (NATS restarted without its store, an operator
 *   deleted it), it is declared again from the contracts and consumption resumes.
 * @see https://github.com/nats-io/nats.js/blob/main/jetstream/README.md
 */
export async function startConsumer<E>(options: RunnerOptions<E>): Promise<RunningConsumer> {
  const { js, consumer: def, logger } = options;
  const concurrency = options.concurrency ?? 8;
  const deliveries = maxDeliveries(options.retry);
  const log = logger.child({ consumer: def.durable });
  const consumer = await js.consumers.get(def.stream.name, def.durable);
  // Pull requests that expire after 5 s (heartbeats every 2.5 s): a consumer that disappeared and
  // was declared again is found within seconds, not after the default 30 s backoff.
  const messages: ConsumerMessages = await consumer.consume({ max_messages: concurrency, expires: 5000 });

  const inFlight = new Set<Promise<void>>();
  const chains = new Map<string, Promise<void>>();
  // Every message received and not yet settled here, with the timer that keeps it alive.
  const unsettled = new Map<JsMsg, NodeJS.Timeout>();
  let stopping = false;
  let consuming = true;
  let redeclaring: Promise<void> | undefined;

  function redeclare(): void {
    if (!options.redeclare || redeclaring || stopping) return;
    redeclaring = options
      .redeclare(def)
      .then(() => log.warn('consumer declared again after it disappeared from the server'))
      .catch((err) => log.warn({ err }, 'declaring the consumer again failed, will try again'))
      .finally(() => setTimeout(() => (redeclaring = undefined), 1000).unref());
  }

  void (async () => {
    for await (const status of messages.status()) {
      if (MISSING.has(status.type)) {
        if (consuming) log.warn({ status: status.type }, 'consumer missing on the server');
        consuming = false;
        redeclare();
      } else if (status.type === 'heartbeats_missed') {
        consuming = false;
      } else if (status.type === 'heartbeat' || status.type === 'next') {
        consuming = true;
      }
    }
  })();

  const finished = (async () => {
    for await (const msg of messages) {
      consuming = true;
      // Kept alive from now on: it may wait below, or behind a message of the same key.
      unsettled.set(
        msg,
        setInterval(() => msg.working(), Math.max(def.ackWaitMs / 3, 100)),
      );
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      const decoded = options.codec.decode(msg.subject, msg.data);
      const key = decoded.ok ? options.keyOf?.(decoded.event) : undefined;
      const previous = (key && chains.get(key)) || Promise.resolve();
      const task = previous
        .then(() => (stopping ? handBack(msg) : measured(msg, decoded)))
        .finally(() => settled(msg));
      if (key) chains.set(key, task);
      const tracked: Promise<void> = task.finally(() => {
        inFlight.delete(tracked);
        if (key && chains.get(key) === task) chains.delete(key);
      });
      inFlight.add(tracked);
    }
    await Promise.allSettled([...inFlight]);
  })();
  finished.catch((err) => log.error({ err }, 'consume loop failed'));

  const handledTotal = options.metrics?.counter(
    'billing_consumer_messages_total',
    'Messages handled by a durable consumer, by how they were settled (retry: handed back for a later attempt)',
    ['consumer', 'outcome'],
  );
  const handleSeconds = options.metrics?.histogram(
    'billing_consumer_handle_duration_seconds',
    'Time from starting to handle a message until it was settled (acknowledged, handed back or parked)',
    ['consumer'],
  );

  /** Handles one message and counts how it was settled and how long that took. */
  async function measured(msg: JsMsg, decoded: ReturnType<Codec<E>['decode']>): Promise<void> {
    const start = process.hrtime.bigint();
    const { outcome, reason } = await traced(msg, decoded);
    handledTotal?.inc({ consumer: def.durable, outcome });
    handleSeconds?.observe({ consumer: def.durable }, secondsSince(start));
    // A message that could not be decoded has no id or Stripe event to file it under (it is parked).
    if (decoded.ok && options.recordHandled) {
      await options
        .recordHandled({
          consumer: def.durable,
          messageId: decoded.messageId,
          subject: msg.subject,
          stripeEventId: decoded.correlationId,
          outcome,
          reason,
          deliveryCount: msg.info.deliveryCount,
          streamSequence: msg.info.streamSequence,
          // A Stripe event is filed with what operators search it by (its id is the message id).
          ...(isStripeEventSubject(msg.subject) && { stripe: stripeEventFacts(decoded.event) }),
        })
        .catch((err) => log.warn({ err, subject: msg.subject }, 'recording the handled message failed'));
    }
  }

  /** Handles one message in its consumer span, a child of the publisher's (see tracing). */
  function traced(msg: JsMsg, decoded: ReturnType<Codec<E>['decode']>): Promise<Settled> {
    return consumeSpan(
      {
        subject: msg.subject,
        consumer: def.durable,
        headers: msg.headers,
        stripeEventId: decoded.ok ? decoded.correlationId : undefined,
      },
      async (span) => {
        span.setAttribute('messaging.message.delivery_count', msg.info.deliveryCount);
        if (decoded.ok) span.setAttribute('messaging.message.id', decoded.messageId);
        const settled = await handleOne(msg, decoded);
        span.setAttribute('billing.outcome', settled.outcome);
        return settled;
      },
    );
  }

  async function handleOne(msg: JsMsg, decoded: ReturnType<Codec<E>['decode']>): Promise<Settled> {
    const deliveryCount = msg.info.deliveryCount;
    const base = { subject: msg.subject, streamSeq: msg.seq, deliveryCount };
    if (!decoded.ok) {
      log.error({ ...base, reason: decoded.error }, 'invalid message parked');
      return parkOrRetry(msg, null, 'invalid', decoded.error);
    }
    const handler = options.handlers[decoded.route];
    const ctxLog = log.child({
      eventId: decoded.messageId,
      correlationId: decoded.correlationId,
      route: decoded.route,
    });
    if (!handler) {
      ctxLog.debug(base, 'no handler, skipped');
      msg.ack();
      return { outcome: 'skipped', reason: 'no handler' };
    }
    try {
      const outcome = await handler(decoded.event, {
        messageId: decoded.messageId,
        correlationId: decoded.correlationId,
        subject: msg.subject,
        deliveryCount,
        logger: ctxLog,
        headers: headersRecord(msg.headers),
      });
      switch (outcome.status) {
        case 'done':
          ctxLog.info(base, 'handled');
          msg.ack();
          return { outcome: 'done', reason: null };
        case 'skipped':
          ctxLog.info({ ...base, reason: outcome.reason }, 'skipped');
          msg.ack();
          return { outcome: 'skipped', reason: outcome.reason };
        case 'retry':
          return retryOrPark(msg, decoded.messageId, outcome.reason, ctxLog);
        default: {
          const exhaustive: never = outcome;
          throw new Error(`unknown outcome ${JSON.stringify(exhaustive)}`);
        }
      }
    } catch (err) {
      const kind = classifyFailure(err);
      switch (kind) {
        case 'permanent':
        case 'bug':
          ctxLog.error({ ...base, err }, `${kind} failure parked`);
          return parkOrRetry(msg, decoded.messageId, kind, (err as Error).message);
        case 'transient':
          ctxLog.warn({ ...base, err }, 'handler failed');
          return retryOrPark(msg, decoded.messageId, `error: ${(err as Error).message}`, ctxLog);
        default: {
          const exhaustive: never = kind;
          throw new Error(`unknown failure kind ${String(exhaustive)}`);
        }
      }
    }
  }

  async function retryOrPark(
    msg: JsMsg,
    messageId: string,
    reason: string,
    ctxLog: Logger,
  ): Promise<Settled> {
    const attempt = msg.info.deliveryCount;
    const underLimit = def.maxDeliver < 0 || attempt < def.maxDeliver;
    if (attempt < deliveries && underLimit) {
      const delayMs = retryDelayMs(attempt, options.retry);
      ctxLog.info({ subject: msg.subject, attempt, delayMs, reason }, 'retry scheduled');
      msg.nak(delayMs);
      return { outcome: 'retry', reason };
    }
    ctxLog.warn({ subject: msg.subject, attempt, reason }, 'retries exhausted, parked');
    return parkOrRetry(msg, messageId, 'exhausted', `gave up after ${attempt} attempts: ${reason}`);
  }

  async function parkOrRetry(
    msg: JsMsg,
    messageId: string | null,
    kind: ParkKind,
    reason: string,
  ): Promise<Settled> {
    try {
      await options.park({
        consumer: def.durable,
        subject: msg.subject,
        messageId,
        streamSequence: msg.seq,
        storedAt: msg.time,
        data: text.decode(msg.data),
        headers: headersRecord(msg.headers),
        kind,
        reason,
        deliveryCount: msg.info.deliveryCount,
      });
      msg.term(reason.slice(0, 200));
      return { outcome: 'parked', reason: `${kind}: ${reason}` };
    } catch (err) {
      // Never drop a message we could not park: JetStream delivers it again.
      log.error({ err, subject: msg.subject }, 'parking failed, will retry');
      msg.nak(options.retry.maxDelayMs);
      return { outcome: 'retry', reason: `parking failed: ${(err as Error).message}` };
    }
  }

  /** Stops keeping a message alive; false when that was done already. */
  function settled(msg: JsMsg): boolean {
    const heartbeat = unsettled.get(msg);
    if (!heartbeat) return false;
    clearInterval(heartbeat);
    unsettled.delete(msg);
    return true;
  }

  /** Gives a message back to the server for immediate redelivery (to this or another replica). */
  function handBack(msg: JsMsg): void {
    if (settled(msg)) msg.nak();
  }

  let stopped: Promise<void> | undefined;
  return {
    finished,
    isConsuming: () => consuming && !stopping,
    stop(stopOptions = {}) {
      stopped ??= (async () => {
        stopping = true;
        await messages.close();
        const { handBackAfterMs } = stopOptions;
        if (handBackAfterMs === undefined) return finished;
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'deadline'>((resolve) => {
          timer = setTimeout(() => resolve('deadline'), handBackAfterMs);
        });
        const ended = await Promise.race([finished.then(() => 'finished' as const), deadline]);
        clearTimeout(timer);
        if (ended === 'deadline' && unsettled.size > 0) {
          log.warn(
            { messages: unsettled.size },
            'handlers still running at shutdown, their messages handed back',
          );
          for (const msg of [...unsettled.keys()]) handBack(msg);
        }
      })();
      return stopped;
    },
  };
}

/** The first value of each header of a message (none: undefined). */
export function headersRecord(
  headers: { keys(): string[]; get(key: string): string } | undefined,
): Record<string, string> | undefined {
  if (!headers) return undefined;
  const record: Record<string, string> = {};
  for (const key of headers.keys()) record[key] = headers.get(key);
  return record;
}
