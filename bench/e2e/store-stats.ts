import mongoose, { type Connection } from 'mongoose';

/** Operation counts by kind (`queries`, `insert`, `update`, `remove`, `getmore`, `commands`). */
export type KindCounts = Record<string, number>;

/** Operation counts per namespace (`<db>.<collection>`) from the store's `top` admin command. */
export type CommandCounts = Map<string, KindCounts>;

const KINDS = ['queries', 'getmore', 'insert', 'update', 'remove', 'commands'] as const;

interface TopReply {
  totals?: Record<string, Record<string, { count?: number }> | string>;
}

/**
 * Reads the store's per-namespace operation counters (`top`, MongoDB's admin command; namespaces
 * are `<db>.<collection>`). Returns null when the store does not answer it, which the report
 * prints as "n/a".
 * @see https://www.mongodb.com/docs/manual/reference/command/top/
 */
export class StoreCommandCounter {
  private constructor(private readonly conn: Connection) {}

  static async connect(mongoUrl: string): Promise<StoreCommandCounter> {
    const conn = mongoose.createConnection(mongoUrl, { serverSelectionTimeoutMS: 10_000 });
    await conn.asPromise();
    return new StoreCommandCounter(conn);
  }

  async read(): Promise<CommandCounts | null> {
    try {
      const reply = (await this.conn.db!.admin().command({ top: 1 })) as TopReply;
      const out: CommandCounts = new Map();
      for (const [namespace, entry] of Object.entries(reply.totals ?? {})) {
        if (typeof entry !== 'object') continue; // the "note" field
        out.set(namespace, Object.fromEntries(KINDS.map((k) => [k, entry[k]?.count ?? 0])));
      }
      return out;
    } catch {
      return null;
    }
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

/** Commands per namespace between two readings; null when either reading was unavailable. */
export function commandsBetween(
  before: CommandCounts | null,
  after: CommandCounts | null,
): CommandCounts | null {
  if (!before || !after) return null;
  const out: CommandCounts = new Map();
  for (const [ns, counts] of after) {
    const earlier = before.get(ns) ?? {};
    const diff = Object.fromEntries(KINDS.map((k) => [k, (counts[k] ?? 0) - (earlier[k] ?? 0)]));
    if (KINDS.some((k) => diff[k] !== 0)) out.set(ns, diff);
  }
  return out;
}

/** The total of a database's namespaces. */
export function databaseTotal(counts: CommandCounts, db: string): number {
  let total = 0;
  for (const [ns, c] of counts) if (ns.startsWith(`${db}.`)) for (const k of KINDS) total += c[k] ?? 0;
  return total;
}

/**
 * Per collection of a database, `collection total (find f, insert i, ...)` per checkout: where a
 * service's store round trips go.
 */
export function collectionBreakdown(counts: CommandCounts, db: string, checkouts: number): string {
  const short = {
    queries: 'find',
    getmore: 'more',
    insert: 'ins',
    update: 'upd',
    remove: 'del',
    commands: 'cmd',
  };
  const parts: string[] = [];
  for (const [ns, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    if (!ns.startsWith(`${db}.`)) continue;
    const kinds = KINDS.filter((k) => c[k]).map((k) => `${short[k]} ${(c[k]! / checkouts).toFixed(1)}`);
    const total = KINDS.reduce((sum, k) => sum + (c[k] ?? 0), 0) / checkouts;
    parts.push(`${ns.slice(db.length + 1)} ${total.toFixed(1)} (${kinds.join(', ')})`);
  }
  return parts.join('; ');
}
