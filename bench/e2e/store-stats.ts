import mongoose, { type Connection } from 'mongoose';

/** Operation counts per database from the store's `top` admin command. */
export type CommandCounts = Map<string, number>;

interface TopReply {
  totals?: Record<string, { total?: { count?: number } } | string>;
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
        const db = namespace.split('.')[0]!;
        out.set(db, (out.get(db) ?? 0) + (entry.total?.count ?? 0));
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

/** Commands per database between two readings; null when either reading was unavailable. */
export function commandsBetween(
  before: CommandCounts | null,
  after: CommandCounts | null,
): CommandCounts | null {
  if (!before || !after) return null;
  const out: CommandCounts = new Map();
  for (const [db, count] of after) out.set(db, count - (before.get(db) ?? 0));
  return out;
}
