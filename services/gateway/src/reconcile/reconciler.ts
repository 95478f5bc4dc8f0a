import { randomBytes } from 'node:crypto';
import { STRIPE_EVENTS_API_WINDOW_MS } from '@billing/contracts';
import type { Logger } from '@billing/runtime';
import type { StripeEventPublisher } from '../publisher';
import type { CreatedRange, StripeEventLister } from './stripe-event-lister';
import type { ReconcilerState } from './reconciler-state';

/** What one reconciliation found in Stripe and what it did. */
export interface ReconcileResult {
  since: string;
  until: string;
  /** Events Stripe listed in the range (of the types the services consume). */
  found: number;
  /** Of those, already in the stream (the webhook, or an earlier reconciliation, stored them). */
  alreadyPresent: number;
  /** Of those, stored now. */
  stored: number;
}

export interface ReconcilerOptions {
  /** Label of the Stripe account (its cursor and lease are its own). */
  account: string;
  /** How often a reconciliation runs on its own; 0 = only on demand. */
  intervalMs: number;
  /** A new deployment, without a cursor, looks this far back. */
  firstLookbackMs?: number;
  /**
   * Each run starts this long before the previous one ended: events Stripe lists a moment after
   * they were created, and events created in the same second as the cursor, are checked again.
   */
  overlapMs?: number;
  /** A replica's claim on a run; another replica takes over once it expires. */
  leaseMs?: number;
  /** After a failed run, the next waits this long at most (doubling from `intervalMs`). */
  maxBackoffMs?: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * Finds the Stripe events the stream does not have (the gateway was down, unreachable, answered
 * non-2xx, or Stripe gave up) by listing Stripe's Events API, and stores them through the same
 * publisher as the webhook: the message id is the event id, so an event already stored is not
 * stored again (the stream's duplicate window spans Stripe's 30 days).
 *
 * On a schedule it continues from a cursor kept in NATS, and one replica at a time runs it (a
 * lease with compare-and-set). On demand (`reconcile`) it checks any range within the 30 days.
 */
export class StripeReconciler {
  private readonly owner = randomBytes(8).toString('hex');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  private stopped = false;

  /** The options with their defaults filled in. */
  private readonly options: Required<ReconcilerOptions>;

  constructor(
    private readonly deps: {
      lister: StripeEventLister;
      publisher: StripeEventPublisher;
      state: ReconcilerState;
      logger: Logger;
      options: ReconcilerOptions;
      now?: () => number;
    },
  ) {
    this.options = {
      firstLookbackMs: 60 * MINUTE,
      overlapMs: 10 * MINUTE,
      leaseMs: 10 * MINUTE,
      maxBackoffMs: 60 * MINUTE,
      ...deps.options,
    };
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Lists Stripe's events created in [since, until] and stores those the stream lacks. */
  async reconcile(range: { since: Date; until: Date }): Promise<ReconcileResult> {
    const oldest = this.now() - STRIPE_EVENTS_API_WINDOW_MS;
    const since = Math.floor(Math.max(range.since.getTime(), oldest) / 1000);
    const until = Math.floor(range.until.getTime() / 1000);
    const result: ReconcileResult = {
      since: new Date(since * 1000).toISOString(),
      until: new Date(until * 1000).toISOString(),
      found: 0,
      alreadyPresent: 0,
      stored: 0,
    };
    if (since > until) return result;
    for await (const page of this.deps.lister.list({ since, until } satisfies CreatedRange)) {
      for (const event of page) {
        const { duplicate } = await this.deps.publisher.publish(
          event,
          Buffer.from(JSON.stringify(event)),
          this.options.account,
        );
        result.found += 1;
        if (duplicate) result.alreadyPresent += 1;
        else {
          result.stored += 1;
          this.deps.logger.info({ eventId: event.id, type: event.type }, 'missed Stripe event stored');
        }
      }
    }
    return result;
  }

  /**
   * One scheduled run: from the cursor (less the overlap) to now, if this replica gets the lease;
   * the cursor moves only when every event of the range was stored.
   */
  async runScheduled(): Promise<ReconcileResult | undefined> {
    const { account, firstLookbackMs, overlapMs, leaseMs } = this.options;
    const release = await this.deps.state.lease(account, this.owner, leaseMs);
    if (!release) return undefined;
    try {
      const now = this.now();
      const cursor = await this.deps.state.cursor(account);
      const since = cursor ? cursor.until * 1000 - overlapMs : now - firstLookbackMs;
      const result = await this.reconcile({ since: new Date(since), until: new Date(now) });
      await this.deps.state.saveCursor(account, {
        until: Math.floor(now / 1000),
        checkedAt: new Date(now).toISOString(),
      });
      const log = result.stored > 0 ? this.deps.logger.warn : this.deps.logger.info;
      log.call(this.deps.logger, result, 'Stripe events reconciled');
      return result;
    } finally {
      await release();
    }
  }

  /** Runs now and then every `intervalMs` (longer after failures); nothing when it is 0. */
  start(): void {
    if (this.options.intervalMs === 0) return;
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runScheduled()
        .then(() => {
          this.failures = 0;
        })
        .catch((err: unknown) => {
          this.failures += 1;
          this.deps.logger.error({ err, failures: this.failures }, 'Stripe reconciliation failed');
        })
        .finally(() => {
          this.running = undefined;
          this.schedule(this.nextDelayMs());
        });
    }, delayMs);
    this.timer.unref();
  }

  private nextDelayMs(): number {
    const { intervalMs, maxBackoffMs } = this.options;
    if (this.failures === 0) return intervalMs;
    return Math.min(Math.max(intervalMs, maxBackoffMs), intervalMs * 2 ** this.failures);
  }

  /** No new run starts; a run in progress finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
