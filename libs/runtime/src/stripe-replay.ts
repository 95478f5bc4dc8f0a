import type { JetStreamManager } from '@nats-io/jetstream';
import { StripeHeaders } from '@billing/contracts';
import { BadRequestError } from './errors';
import type { HandledLog, HandledRecord } from './handled';
import type { Logger } from './logger';
import type { ReplayRoute } from './replay';
import { headersRecord } from './runner';

/** Which stored Stripe events to run again: by id, or by type and creation time. */
export interface StripeReplayFilter {
  eventIds?: readonly string[];
  types?: readonly string[];
  /** Created by Stripe at or after. */
  since?: Date;
  /** Created by Stripe before. */
  until?: Date;
  /** One consumer of this service; all its Stripe consumers when absent. */
  consumer?: string;
  /** At most this many events (each run by every chosen consumer). */
  limit: number;
}

/**
 * What one consumer did with one replayed event: a handler outcome, `failed` (it threw) or `gone`
 * (the message is no longer in the stream, or was handled before its sequence was recorded).
 */
export interface StripeReplayItem {
  eventId: string;
  type: string | null;
  consumer: string;
  outcome: 'done' | 'skipped' | 'retry' | 'failed' | 'gone';
  reason: string | null;
}

/**
 * Runs stored Stripe events through this service's consumers again (an operator after fixing a
 * handler): the events are chosen from the handled-message log, which knows each one's place in
 * the stream, read from the stream, and handed to the same handlers as on delivery. Effects stay
 * exactly once: the handlers' unique keys make a replay of something applied a no-op. Each
 * outcome is written to the log, so the Stripe events listing shows what the replay did.
 */
export class StripeEventReplayer {
  constructor(
    private readonly deps: {
      handled: HandledLog;
      jsm: JetStreamManager;
      /** The stream the Stripe events are stored in. */
      stream: string;
      /** By durable consumer name: this service's consumers of Stripe events. */
      routes: Readonly<Record<string, ReplayRoute>>;
      logger: Logger;
    },
  ) {}

  async replay(filter: StripeReplayFilter): Promise<{ replayed: number; items: StripeReplayItem[] }> {
    if (filter.consumer !== undefined && !this.deps.routes[filter.consumer])
      throw new BadRequestError(
        `${filter.consumer} does not consume Stripe events here; one of: ${Object.keys(this.deps.routes).join(', ')}`,
        'unknown_consumer',
      );
    const chosen = await this.choose(filter);
    const items: StripeReplayItem[] = [];
    for (const record of chosen) items.push(await this.replayOne(record));
    return { replayed: new Set(items.map((i) => i.eventId)).size, items };
  }

  /** The consumers' records of the chosen events, oldest event first (Stripe's order). */
  private async choose(filter: StripeReplayFilter): Promise<HandledRecord[]> {
    const byEvent = new Map<string, HandledRecord[]>();
    const add = (eventId: string, records: HandledRecord[]) => {
      const own = records.filter(
        (r) =>
          r.messageId === eventId &&
          this.deps.routes[r.consumer] !== undefined &&
          (filter.consumer === undefined || r.consumer === filter.consumer),
      );
      if (own.length > 0 && byEvent.size < filter.limit) byEvent.set(eventId, own);
    };
    if (filter.eventIds) {
      for (const id of filter.eventIds) add(id, await this.deps.handled.forStripeEvent(id));
    } else {
      for (const type of filter.types ?? [undefined]) {
        const { items } = await this.deps.handled.stripeEvents({
          type,
          since: filter.since,
          until: filter.until,
          limit: filter.limit,
        });
        for (const event of items) add(event.id, event.consumers);
      }
    }
    const at = (records: HandledRecord[]) => Math.min(...records.map((r) => r.streamSequence ?? Infinity));
    return [...byEvent.values()].sort((a, b) => at(a) - at(b)).flat();
  }

  private async replayOne(record: HandledRecord): Promise<StripeReplayItem> {
    const { consumer, messageId: eventId } = record;
    const item = (outcome: StripeReplayItem['outcome'], reason: string | null): StripeReplayItem => ({
      eventId,
      type: record.eventType,
      consumer,
      outcome,
      reason,
    });
    const message = record.streamSequence
      ? await this.deps.jsm.streams
          .getMessage(this.deps.stream, { seq: record.streamSequence })
          .catch(() => null)
      : null;
    // A re-created stream reuses sequences: the message there must be this event.
    if (!message || message.header?.get(StripeHeaders.msgId) !== eventId)
      return item('gone', 'no longer in the stream');
    const logger = this.deps.logger.child({ replayOf: eventId, consumer });
    try {
      const outcome = await this.deps.routes[consumer]!.replay(
        {
          subject: message.subject,
          data: message.string(),
          deliveryCount: record.deliveryCount,
          // The account headers (Billing-Account, Stripe-Account) the handlers read.
          headers: headersRecord(message.header),
        },
        logger,
      );
      const reason = outcome.status === 'done' ? null : outcome.reason;
      await this.deps.handled.recordReplay({ consumer, messageId: eventId, outcome: outcome.status, reason });
      logger.info({ outcome: outcome.status }, 'Stripe event replayed');
      return item(outcome.status, reason);
    } catch (err) {
      logger.warn({ err }, 'Stripe event replay failed');
      return item('failed', err instanceof Error ? err.message : String(err));
    }
  }
}
