import type { Connection, Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import { StockContentionError } from '../errors';
import { renameId } from './rename-id';
import { stockMovementModel, type StockMovement, type StockMovementDoc } from './stock-movement.model';

/** What to append, computed from the balance before it. */
export type MovementPlan = Pick<StockMovement, 'delta' | 'reason'> &
  Partial<Pick<StockMovement, 'orderId' | 'lineId' | 'requested' | 'allocated' | 'note'>>;

const MAX_ATTEMPTS = 25;
const toMovement = (doc: StockMovementDoc): StockMovement => renameId(doc, 'key') as StockMovement;

/** Each sku's stock is a chain of movements; see stock-movement.model.ts for why this is safe. */
export class StockRepository {
  private readonly model: Model<StockMovementDoc>;

  constructor(db: Connection) {
    this.model = stockMovementModel(db);
  }

  async balance(sku: string): Promise<number> {
    const last = await this.model.findOne({ sku }).sort({ seq: -1 }).lean<StockMovementDoc>();
    return last?.balance ?? 0;
  }

  async balances(skus: readonly string[]): Promise<Map<string, number>> {
    const entries = await Promise.all(skus.map(async (sku) => [sku, await this.balance(sku)] as const));
    return new Map(entries);
  }

  /**
   * Appends the movement named `key` once. `plan` sees the balance it will follow and may throw to
   * refuse (e.g. an adjustment below zero). Returns the stored movement, the earlier one if `key`
   * was appended before. Two writers racing for the same link: one wins (unique sku+seq), the
   * other re-reads the new balance and plans again.
   */
  async append(
    key: string,
    sku: string,
    plan: (balance: number) => MovementPlan,
    at: Date,
  ): Promise<StockMovement> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const existing = await this.model.findById(key).lean<StockMovementDoc>();
      if (existing) return toMovement(existing);
      const last = await this.model.findOne({ sku }).sort({ seq: -1 }).lean<StockMovementDoc>();
      const before = last?.balance ?? 0;
      const planned = plan(before);
      const doc: StockMovementDoc = {
        _id: key,
        sku,
        seq: (last?.seq ?? 0) + 1,
        delta: planned.delta,
        balance: before + planned.delta,
        reason: planned.reason,
        orderId: planned.orderId ?? null,
        lineId: planned.lineId ?? null,
        requested: planned.requested ?? null,
        allocated: planned.allocated ?? null,
        note: planned.note ?? null,
        at,
      };
      if (await insertOnce(this.model, doc)) return toMovement(doc);
      // Either `key` was appended meanwhile (next loop returns it) or the link was taken.
    }
    throw new StockContentionError(sku);
  }

  async ofOrder(orderId: string): Promise<StockMovement[]> {
    const docs = await this.model.find({ orderId }).sort({ sku: 1, seq: 1 }).lean<StockMovementDoc[]>();
    return docs.map(toMovement);
  }
}
