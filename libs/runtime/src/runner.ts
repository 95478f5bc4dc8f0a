import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { ConsumerDefinition } from '@billing/contracts';
import type { Codec } from './codecs';
import { PermanentError } from './errors';
import type { Logger } from './logger';

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
}

export type Handler<E> = (event: E, ctx: HandlerContext) => Promise<Outcome>;

/** A message the runner gave up on; an operator can see it and replay it. */
export interface ParkedMessage {
  consumer: string;
  subject: string;
  messageId: string | null;
  streamSequence: number;
  data: string;
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
  /** Delay before each retry, by attempt; after the last one the message is parked. */
  retryDelaysMs: readonly number[];
  /** Messages handled at once by this process. */
  concurrency?: number;
  /** Messages with the same key are handled one after another (e.g. the Stripe customer). */
  keyOf?: (event: E) => string | undefined;
}

export interface RunningConsumer {
  /** Stops pulling, waits for handlers in flight, then resolves. */
  stop(): Promise<void>;
  /** Resolves when the consume loop ends (after stop, or when it fails). */
  readonly finished: Promise<void>;
}

const text = new TextDecoder();

/**
 * The JetStream loop shared by every service: decode, validate, call the handler, then
 * ack / nak(delay) / park+term. Bounded concurrency; same-key messages stay in order.
 * @see https://github.com/nats-io/nats.js/blob/main/jetstream/README.md
 */
export async function startConsumer<E>(options: RunnerOptions<E>): Promise<RunningConsumer> {
  const { js, consumer: def, logger } = options;
  const concurrency = options.concurrency ?? 8;
  const log = logger.child({ consumer: def.durable });
  const consumer = await js.consumers.get(def.stream.name, def.durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: Math.max(concurrency * 2, 10) });

  const inFlight = new Set<Promise<void>>();
  const chains = new Map<string, Promise<void>>();
  let stopping = false;

  const finished = (async () => {
    for await (const msg of messages) {
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      const decoded = options.codec.decode(msg.subject, msg.data);
      const key = decoded.ok ? options.keyOf?.(decoded.event) : undefined;
      const previous = (key && chains.get(key)) || Promise.resolve();
      const task = previous.then(() => handleOne(msg, decoded));
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

  async function handleOne(msg: JsMsg, decoded: ReturnType<Codec<E>['decode']>): Promise<void> {
    const deliveryCount = msg.info.deliveryCount;
    const base = { subject: msg.subject, streamSeq: msg.seq, deliveryCount };
    if (!decoded.ok) {
      log.error({ ...base, reason: decoded.error }, 'invalid message parked');
      await parkOrRetry(msg, null, `invalid: ${decoded.error}`);
      return;
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
      return;
    }
    // Keep the delivery ours while a slow handler runs (e.g. a Stripe API call with retries).
    const heartbeat = setInterval(() => msg.working(), Math.max(def.ackWaitMs / 3, 1000));
    try {
      const outcome = await handler(decoded.event, {
        messageId: decoded.messageId,
        correlationId: decoded.correlationId,
        subject: msg.subject,
        deliveryCount,
        logger: ctxLog,
      });
      switch (outcome.status) {
        case 'done':
          ctxLog.info(base, 'handled');
          msg.ack();
          return;
        case 'skipped':
          ctxLog.info({ ...base, reason: outcome.reason }, 'skipped');
          msg.ack();
          return;
        case 'retry':
          await retryOrPark(msg, decoded.messageId, outcome.reason, ctxLog);
          return;
        default: {
          const exhaustive: never = outcome;
          throw new Error(`unknown outcome ${JSON.stringify(exhaustive)}`);
        }
      }
    } catch (err) {
      if (err instanceof PermanentError) {
        ctxLog.error({ ...base, err }, 'permanent failure parked');
        await parkOrRetry(msg, decoded.messageId, `permanent: ${err.message}`);
        return;
      }
      ctxLog.warn({ ...base, err }, 'handler failed');
      await retryOrPark(msg, decoded.messageId, `error: ${(err as Error).message}`, ctxLog);
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function retryOrPark(msg: JsMsg, messageId: string, reason: string, ctxLog: Logger): Promise<void> {
    const attempt = msg.info.deliveryCount;
    const delay = options.retryDelaysMs[attempt - 1];
    const underLimit = def.maxDeliver < 0 || attempt < def.maxDeliver;
    if (delay !== undefined && underLimit) {
      ctxLog.info({ subject: msg.subject, attempt, delayMs: delay, reason }, 'retry scheduled');
      msg.nak(delay);
      return;
    }
    ctxLog.warn({ subject: msg.subject, attempt, reason }, 'retries exhausted, parked');
    await parkOrRetry(msg, messageId, `gave up after ${attempt} attempts: ${reason}`);
  }

  async function parkOrRetry(msg: JsMsg, messageId: string | null, reason: string): Promise<void> {
    try {
      await options.park({
        consumer: def.durable,
        subject: msg.subject,
        messageId,
        streamSequence: msg.seq,
        data: text.decode(msg.data),
        reason,
        deliveryCount: msg.info.deliveryCount,
      });
      msg.term(reason.slice(0, 200));
    } catch (err) {
      // Never drop a message we could not park: JetStream delivers it again.
      log.error({ err, subject: msg.subject }, 'parking failed, will retry');
      msg.nak(options.retryDelaysMs.at(-1) ?? 5000);
    }
  }

  return {
    finished,
    async stop() {
      if (stopping) return finished;
      stopping = true;
      await messages.close();
      await finished;
    },
  };
}
