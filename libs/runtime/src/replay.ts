import type { Codec } from './codecs';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  PermanentError,
  ServiceUnavailableError,
} from './errors';
import type { HandledLog } from './handled';
import type { Logger } from './logger';
import type { ParkedFilter, ParkedRecord, ParkedStore } from './parked';
import type { Handler, Outcome } from './runner';

/** A stored message to run again: a parked one, or one read back from its stream. */
export type StoredMessage = Pick<ParkedRecord, 'subject' | 'data' | 'deliveryCount' | 'headers'>;

/** How the messages of one consumer are run again: its codec and its handlers. */
export interface ReplayRoute {
  replay(record: StoredMessage, logger: Logger): Promise<Outcome>;
}

export function replayRoute<E>(codec: Codec<E>, handlers: Readonly<Record<string, Handler<E>>>): ReplayRoute {
  return {
    async replay(record, logger) {
      const decoded = codec.decode(record.subject, new TextEncoder().encode(record.data));
      if (!decoded.ok)
        throw new BadRequestError(`stored message cannot be decoded: ${decoded.error}`, 'undecodable');
      const handler = handlers[decoded.route];
      if (!handler) throw new BadRequestError(`no handler for ${decoded.route}`, 'no_handler');
      return handler(decoded.event, {
        messageId: decoded.messageId,
        correlationId: decoded.correlationId,
        subject: record.subject,
        deliveryCount: record.deliveryCount + 1,
        logger: logger.child({ eventId: decoded.messageId }),
        headers: record.headers,
      });
    },
  };
}

/** What a bulk replay did: how many it ran, by outcome (`failed`: it threw). */
export interface BulkReplayResult {
  replayed: number;
  outcomes: Record<'done' | 'skipped' | 'retry' | 'failed', number>;
}

/**
 * Runs parked messages through their consumer's handlers again, in this process: one, all those
 * matching a filter (an operator after a fix), or, on its own, the `exhausted` ones whose cause
 * was passing (see ParkedStore.park for when). Handlers are idempotent, so replaying something
 * that has since been applied changes nothing.
 */
export class ParkedReplayer {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(
    private readonly deps: {
      store: ParkedStore;
      /** By durable consumer name. */
      routes: Readonly<Record<string, ReplayRoute>>;
      logger: Logger;
      /** Told when a replayed message applied or was skipped (see HandledLog.recordReplay). */
      handled?: HandledLog;
    },
  ) {}

  /** Replays one parked message; a message applied (or skipped) is marked replayed. */
  async replayOne(id: string): Promise<Outcome> {
    const record = await this.deps.store.get(id);
    if (!record) throw new NotFoundError(`no parked message ${id}`);
    return this.replayRecord(record);
  }

  private async replayRecord(record: ParkedRecord): Promise<Outcome> {
    const route = this.deps.routes[record.consumer];
    if (!route) throw new BadRequestError(`unknown consumer ${record.consumer}`, 'unknown_consumer');
    const logger = this.deps.logger.child({ replayOf: record.id, consumer: record.consumer });
    let outcome: Outcome;
    try {
      outcome = await route.replay(record, logger);
    } catch (err) {
      logger.warn({ err }, 'parked message replay failed');
      if (err instanceof PermanentError || err instanceof BadRequestError) {
        throw new ConflictError(
          `the message cannot be applied: ${(err as Error).message}`,
          'permanent_failure',
        );
      }
      throw new ServiceUnavailableError('replay failed, try again later', 'replay_failed', { cause: err });
    }
    if (outcome.status !== 'retry') {
      await this.deps.store.markReplayed(record.id, outcome.status);
      if (record.messageId) {
        const reason = outcome.status === 'skipped' ? `replayed: ${outcome.reason}` : 'replayed';
        await this.deps.handled
          ?.recordReplay({
            consumer: record.consumer,
            messageId: record.messageId,
            outcome: outcome.status,
            reason,
          })
          .catch((err) => logger.warn({ err }, 'recording the replay in the handled-message log failed'));
      }
    }
    logger.info({ outcome: outcome.status }, 'parked message replayed');
    return outcome;
  }

  /** Replays the messages not replayed yet that match, oldest first, up to `filter.limit`. */
  async replayMatching(filter: ParkedFilter): Promise<BulkReplayResult> {
    const records = (await this.deps.store.list({ ...filter, pendingOnly: true })).reverse();
    const result: BulkReplayResult = { replayed: 0, outcomes: { done: 0, skipped: 0, retry: 0, failed: 0 } };
    for (const record of records) {
      result.replayed += 1;
      try {
        result.outcomes[(await this.replayRecord(record)).status] += 1;
      } catch {
        result.outcomes.failed += 1;
      }
    }
    return result;
  }

  /** Replays the due `exhausted` messages every `intervalMs`, each on one replica only. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.sweep().finally(() => (this.sweeping = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One pass over the due messages; returns how many this process replayed. */
  async sweep(now = new Date()): Promise<number> {
    let replayed = 0;
    try {
      for (const record of await this.deps.store.dueForAutoReplay(now, 100)) {
        if (!(await this.deps.store.claimAutoReplay(record, now))) continue;
        replayed += 1;
        await this.replayRecord(record).catch(() => undefined);
      }
    } catch (err) {
      this.deps.logger.warn({ err }, 'automatic replay of parked messages failed');
    }
    return replayed;
  }
}
