import type { Model } from 'mongoose';
import type { Logger } from './logger';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Documents of one collection that may go once `field` is older than `keepMs`. */
export interface RetentionRule {
  /** For logs: what is deleted, e.g. "webhook messages". */
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any collection's model
  model: Model<any>;
  /** A date field, the first key of an index (with `filter`'s fields before it, if any). */
  field: string;
  keepMs: number;
  /** Further conditions, e.g. only finished deliveries. */
  filter?: Record<string, unknown>;
}

/** Documents deleted per round trip: bounded work, and every step reads one index range. */
const BATCH = 500;

/**
 * Deletes what outlived its retention, every `intervalMs`, in batches. The stores have no TTL
 * indexes (the embedded one has none), so the service does it; several replicas sweeping at once
 * only delete the same documents twice, which is harmless.
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;

  constructor(
    private readonly deps: {
      rules: readonly RetentionRule[];
      logger: Logger;
      clock?: () => Date;
    },
  ) {}

  start(intervalMs: number): void {
    const run = () => {
      if (this.sweeping) return;
      this.sweeping = this.sweep().finally(() => (this.sweeping = undefined));
    };
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
    // A service restarted more often than the interval still sweeps.
    setTimeout(run, Math.min(intervalMs, 60_000)).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** One pass over every rule; returns how many documents each rule deleted. */
  async sweep(): Promise<Record<string, number>> {
    const now = (this.deps.clock ?? (() => new Date()))();
    const deleted: Record<string, number> = {};
    for (const rule of this.deps.rules) {
      try {
        deleted[rule.name] = await sweepRule(rule, new Date(now.getTime() - rule.keepMs));
        if (deleted[rule.name]! > 0) {
          this.deps.logger.info(
            { rule: rule.name, deleted: deleted[rule.name], keepDays: rule.keepMs / DAY_MS },
            'retention: deleted what outlived its retention',
          );
        }
      } catch (err) {
        this.deps.logger.warn({ err, rule: rule.name }, 'retention sweep failed; the next one tries again');
      }
    }
    return deleted;
  }
}

async function sweepRule(rule: RetentionRule, cutoff: Date): Promise<number> {
  const query = { ...rule.filter, [rule.field]: { $lt: cutoff } };
  let deleted = 0;
  for (;;) {
    const ids = (await rule.model.find(query, { _id: 1 }).limit(BATCH).lean<{ _id: unknown }[]>()).map(
      (doc) => doc._id,
    );
    if (ids.length === 0) return deleted;
    deleted += (await rule.model.deleteMany({ _id: { $in: ids } })).deletedCount;
    if (ids.length < BATCH) return deleted;
  }
}
