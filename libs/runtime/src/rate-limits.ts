import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Rate-limit counters every replica shares, in the service's database: one document per route,
 * client and fixed window, counted with `$inc` (a single-document update, atomic in MongoDB and in
 * the embedded store). Counters of windows that ended are deleted by the replicas as they go (no
 * TTL index: the embedded store has none).
 */
interface RateWindowDoc {
  _id: string;
  count: number;
  expiresAt: Date;
}

const rateWindowSchema = new Schema<RateWindowDoc>(
  { _id: { type: String, required: true }, count: Number, expiresAt: Date },
  { collection: 'rate_limit_windows', versionKey: false },
);
rateWindowSchema.index({ expiresAt: 1 });

/** How often one replica looks for ended windows to delete. */
const SWEEP_INTERVAL_MS = 60_000;

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** What @fastify/rate-limit passes a store: a route's store is made with its route's options. */
interface StoreOptions {
  timeWindow?: unknown;
  routeInfo?: { method?: unknown; url?: unknown };
}

interface Counters {
  model: Model<RateWindowDoc>;
  lastSweep: number;
}

/**
 * The `store` option of @fastify/rate-limit: `sharedRateLimitStore(db)` gives a store class whose
 * route stores count in `rate_limit_windows`. Register the model (via `registerModels`) before
 * the indexes are created: `rateWindowModel(db)`.
 */
export function sharedRateLimitStore(db: Connection, clock: () => Date = () => new Date()) {
  const counters: Counters = { model: rateWindowModel(db), lastSweep: 0 };
  return class SharedRateLimitStore {
    readonly route: string;
    readonly windowMs: number;

    constructor(given: object) {
      const options = given as StoreOptions;
      const info = options.routeInfo;
      this.route = info?.url ? `${String(info.method)} ${String(info.url)}` : 'global';
      this.windowMs = typeof options.timeWindow === 'number' ? options.timeWindow : 60_000;
    }

    /** The plugin passes the window it resolved for the request (its types do not say so). */
    incr(key: string, callback: IncrCallback, timeWindow?: number): void {
      count(counters, `${this.route}|${key}`, timeWindow ?? this.windowMs, clock()).then(
        (result) => callback(null, result),
        (err: Error) => callback(err),
      );
    }

    child(routeOptions: object): SharedRateLimitStore {
      return new SharedRateLimitStore(routeOptions);
    }
  };
}

export function rateWindowModel(db: Connection): Model<RateWindowDoc> {
  return db.models.RateWindow ?? db.model<RateWindowDoc>('RateWindow', rateWindowSchema);
}

async function count(
  counters: Counters,
  key: string,
  windowMs: number,
  now: Date,
): Promise<{ current: number; ttl: number }> {
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  const end = start + windowMs;
  const id = `${key}|${start}`;
  const doc = await increment(counters.model, id, new Date(end));
  if (now.getTime() - counters.lastSweep >= SWEEP_INTERVAL_MS) {
    counters.lastSweep = now.getTime();
    void counters.model.deleteMany({ expiresAt: { $lt: now } }).catch(() => undefined);
  }
  return { current: doc.count, ttl: end - now.getTime() };
}

async function increment(model: Model<RateWindowDoc>, id: string, expiresAt: Date): Promise<RateWindowDoc> {
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await model
        .findOneAndUpdate(
          { _id: id },
          { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
          { upsert: true, new: true },
        )
        .lean<RateWindowDoc>();
      return doc!;
    } catch (err) {
      // Two first requests of a window may both insert; the one that lost counts again.
      if ((err as { code?: number }).code !== 11000 || attempt > 0) throw err;
    }
  }
}
