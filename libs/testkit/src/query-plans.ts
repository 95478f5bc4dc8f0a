import type { Connection } from 'mongoose';

/** One query a service sent, as mongoose handed it to the driver. */
export interface RecordedQuery {
  collection: string;
  method: string;
  filter: Record<string, unknown>;
  sort?: Record<string, unknown>;
  limit?: number;
}

/** Methods whose filter selects documents (inserts and index management have none). */
const FILTERING = new Set([
  'find',
  'findOne',
  'updateOne',
  'updateMany',
  'deleteOne',
  'deleteMany',
  'countDocuments',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
  'replaceOne',
  'aggregate',
]);

/** The query's shape: its fields and operators without their values. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [shapeOf(value[0])] : [];
  if (value && typeof value === 'object' && !(value instanceof Date) && value.constructor === Object) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
  }
  return typeof value;
}

function recordOf(collection: string, method: string, params: unknown[]): RecordedQuery | null {
  if (!FILTERING.has(method)) return null;
  if (method === 'aggregate') {
    const pipeline = (params[0] ?? []) as Array<Record<string, unknown>>;
    const match = pipeline[0]?.$match as Record<string, unknown> | undefined;
    const sort = pipeline.find((s) => s.$sort)?.$sort as Record<string, unknown> | undefined;
    return match ? { collection, method, filter: match, sort } : null;
  }
  const filter = (params[0] ?? {}) as Record<string, unknown>;
  const options = (method.startsWith('find') ? params[1] : params[2]) as
    { sort?: Record<string, unknown>; limit?: number } | undefined;
  return { collection, method, filter, sort: options?.sort, limit: options?.limit };
}

type Stage = Record<string, unknown>;

/** The stages of an explain's winning plan (MongoDB's classic and SBE shapes, and docstore's). */
function stagesOf(plan: Stage | undefined, out: Stage[] = []): Stage[] {
  if (!plan) return out;
  const inner = (plan.queryPlan as Stage | undefined) ?? plan;
  if (typeof inner.stage === 'string') out.push(inner);
  stagesOf(inner.inputStage as Stage | undefined, out);
  for (const s of (inner.inputStages as Stage[] | undefined) ?? []) stagesOf(s, out);
  return out;
}

/** An index scan whose first field is not narrowed reads the whole index (only the order helps). */
function readsWholeIndex(stage: Stage): boolean {
  if (stage.stage !== 'IXSCAN') return false;
  const bounds = stage.indexBounds as Record<string, string[]> | undefined;
  const first = bounds ? Object.values(bounds)[0] : undefined;
  return first?.length === 1 && /^\[(MinKey, MaxKey|MaxKey, MinKey)\]$/.test(first[0]!);
}

/**
 * Records every query a service's connection runs, one per shape, so that a test can check that
 * each of them is answered from an index: a collection scan or a sort in memory costs more as
 * history grows, which is what the hot paths must never do.
 */
export class QueryRecorder {
  private readonly queries = new Map<string, RecordedQuery>();

  watch(conn: Connection): void {
    conn.on('operation-start', (op: { collectionName: string; method: string; params: unknown[] }) => {
      const query = recordOf(op.collectionName, op.method, op.params ?? []);
      if (!query) return;
      const key = JSON.stringify([query.collection, shapeOf(query.filter), query.sort ?? null]);
      if (!this.queries.has(key)) this.queries.set(key, query);
    });
  }

  get recorded(): RecordedQuery[] {
    return [...this.queries.values()];
  }

  /**
   * Explains each recorded query on `conn`'s database and describes those that scan a collection
   * or sort in memory. `allow` names collections bounded by configuration rather than by history
   * (a catalog, the webhook endpoints), which may be read whole.
   */
  async unindexed(conn: Connection, allow: readonly string[] = []): Promise<string[]> {
    const problems: string[] = [];
    for (const q of this.queries.values()) {
      if (allow.includes(q.collection)) continue;
      const find = {
        find: q.collection,
        filter: q.filter,
        ...(q.sort && { sort: q.sort }),
        ...(q.limit && { limit: q.limit }),
      };
      const reply = (await conn.db!.command({ explain: find, verbosity: 'queryPlanner' })) as {
        queryPlanner?: { winningPlan?: Record<string, unknown> };
      };
      const stages = stagesOf(reply.queryPlanner?.winningPlan);
      const names = stages.map((s) => s.stage as string);
      // With no filter, a whole-index read in sort order stops at the limit: that one is fine.
      const filtered = Object.keys(q.filter).length > 0;
      if (
        names.includes('COLLSCAN') ||
        names.includes('SORT') ||
        (filtered && stages.some(readsWholeIndex))
      ) {
        const whole = stages.some(readsWholeIndex) ? ' (whole index)' : '';
        problems.push(
          `${q.collection}.${q.method} ${JSON.stringify(shapeOf(q.filter))}` +
            `${q.sort ? ` sort ${JSON.stringify(q.sort)}` : ''}: ${names.join(' < ')}${whole}`,
        );
      }
    }
    return problems;
  }

  /** Throws, listing them, when some recorded queries are not served by an index. */
  async expectIndexed(conn: Connection, allow: readonly string[] = []): Promise<void> {
    const problems = await this.unindexed(conn, allow);
    if (problems.length > 0) {
      throw new Error(`queries that scan or sort in memory:\n- ${problems.join('\n- ')}`);
    }
  }
}
