import { Schema, type Connection, type Model } from 'mongoose';

export type StockReason = 'opening' | 'adjustment' | 'sale' | 'restock';

/**
 * One entry of a sku's stock ledger. Entries form a chain per sku (`seq` 1, 2, 3, ...) and each
 * carries the balance after it, computed from the entry before: the unique (sku, seq) index lets
 * exactly one writer append each link, so two orders racing for the last unit cannot both take it,
 * without transactions or atomic updates.
 */
export interface StockMovement {
  /** What the movement is, once: `sale:<orderId>:<lineId>`, `opening:<sku>`, `restock:...`, `adjust:<uuid>`. */
  key: string;
  sku: string;
  seq: number;
  delta: number;
  balance: number;
  reason: StockReason;
  orderId: string | null;
  lineId: string | null;
  /** Sales: units ordered and units taken from stock (the difference was oversold). */
  requested: number | null;
  allocated: number | null;
  note: string | null;
  at: Date;
}

export type StockMovementDoc = Omit<StockMovement, 'key'> & { _id: string };

const movementSchema = new Schema<StockMovementDoc>(
  {
    _id: { type: String, required: true },
    sku: { type: String, required: true },
    seq: { type: Number, required: true },
    delta: { type: Number, required: true },
    balance: { type: Number, required: true },
    reason: { type: String, required: true },
    orderId: { type: String, default: null },
    lineId: { type: String, default: null },
    requested: { type: Number, default: null },
    allocated: { type: Number, default: null },
    note: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { collection: 'stock_movements', versionKey: false },
);
// One writer per link of a sku's chain; also serves "latest balance of a sku" (seq descending).
movementSchema.index({ sku: 1, seq: 1 }, { unique: true });
// The sales and restocks of one order, by sku and link (oversell shown on the order, restock on refund).
movementSchema.index({ orderId: 1, sku: 1, seq: 1 });

export function stockMovementModel(db: Connection): Model<StockMovementDoc> {
  return (
    (db.models.StockMovement as Model<StockMovementDoc> | undefined) ??
    db.model<StockMovementDoc>('StockMovement', movementSchema)
  );
}
