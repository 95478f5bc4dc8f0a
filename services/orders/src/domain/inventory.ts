import type { Logger } from '@billing/runtime';
import type { Order } from '../db/order.model';
import type { StockRepository } from '../db/stock.repository';

/**
 * Stock of physical products. A confirmed order takes each physical line's quantity from stock
 * once (`sale:<orderId>:<lineId>`); what is not on hand is recorded as oversold on the movement
 * (and so on the order) and logged, and the balance stops at zero instead of going negative.
 */
export class Inventory {
  constructor(private readonly stock: StockRepository) {}

  async allocate(order: Order, log: Logger): Promise<void> {
    for (const line of order.lines) {
      if (line.kind !== 'physical' || !line.sku || line.quantity <= 0) continue;
      const requested = line.quantity;
      const movement = await this.stock.append(
        `sale:${order.orderId}:${line.lineId}`,
        line.sku,
        (balance) => {
          const allocated = Math.min(requested, Math.max(balance, 0));
          return {
            delta: -allocated,
            reason: 'sale',
            orderId: order.orderId,
            lineId: line.lineId,
            requested,
            allocated,
          };
        },
        new Date(),
      );
      const allocated = movement.allocated ?? 0;
      if (allocated < requested) {
        log.warn(
          { orderId: order.orderId, lineId: line.lineId, sku: line.sku, requested, allocated },
          'stock oversold',
        );
      }
    }
  }

  /** Puts back what each sale of the order took (once per line); used when restocking is configured. */
  async restock(order: Order, log: Logger): Promise<void> {
    const sales = (await this.stock.ofOrder(order.orderId)).filter(
      (m) => m.reason === 'sale' && (m.allocated ?? 0) > 0,
    );
    for (const sale of sales) {
      const units = sale.allocated ?? 0;
      await this.stock.append(
        `restock:${order.orderId}:${sale.lineId}`,
        sale.sku,
        () => ({ delta: units, reason: 'restock', orderId: order.orderId, lineId: sale.lineId }),
        new Date(),
      );
      log.info({ orderId: order.orderId, sku: sale.sku, units }, 'stock restocked');
    }
  }
}
