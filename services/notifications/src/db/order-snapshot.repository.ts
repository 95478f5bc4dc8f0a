import type { Connection, Model } from 'mongoose';
import type { OrderSnapshotV1 } from '@billing/contracts';
import { insertOnce } from '@billing/runtime';
import { orderSnapshotModel, type OrderSnapshotDoc } from './order-snapshot.model';

export interface OrderSnapshots {
  /** Stores the first snapshot of an order; later ones are ignored (the confirmed order is what was bought). */
  save(order: OrderSnapshotV1, sourceEventId: string): Promise<void>;
  get(orderId: string): Promise<OrderSnapshotV1 | null>;
}

export class OrderSnapshotRepository implements OrderSnapshots {
  private readonly model: Model<OrderSnapshotDoc>;

  constructor(conn: Connection) {
    this.model = orderSnapshotModel(conn);
  }

  async save(order: OrderSnapshotV1, sourceEventId: string): Promise<void> {
    await insertOnce(this.model, { _id: order.orderId, order, sourceEventId, storedAt: new Date() });
  }

  async get(orderId: string): Promise<OrderSnapshotV1 | null> {
    const doc = await this.model.findById(orderId).lean<OrderSnapshotDoc>();
    return doc?.order ?? null;
  }
}
