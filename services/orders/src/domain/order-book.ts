import type { OrderRepository } from '../db/order.repository';
import type { LedgerRepository } from '../db/ledger.repository';
import type { Order } from '../db/order.model';
import type { StockRepository } from '../db/stock.repository';
import { deriveOrderState, type DerivedOrderState } from './order-state';

const DERIVED_KEYS: ReadonlyArray<keyof DerivedOrderState> = [
  'status',
  'statusAt',
  'paymentStatus',
  'confirmedAt',
  'cancelledAt',
  'cancellationReason',
  'amountPaid',
  'amountRefunded',
  'currentPeriodEnd',
  'lastPaymentFailure',
  'oversold',
];

/** The derived fields in a fixed key order, so stored and computed states compare as JSON. */
function canonical(state: DerivedOrderState): string {
  return JSON.stringify(DERIVED_KEYS.map((key) => state[key]));
}

const MAX_ROUNDS = 6;

/**
 * Keeps each order's derived state (status, amounts, period end) equal to the fold of its facts.
 *
 * Without atomic read-modify-write, two writers can interleave: one stores a state computed before
 * the other's fact existed. So `refresh` re-reads after writing and writes again until the stored
 * state matches the facts. The last writer of an order always re-reads after its own write, and
 * any fact inserted before that read is in it, so the final stored state covers every fact.
 */
export class OrderBook {
  constructor(
    private readonly orders: OrderRepository,
    private readonly ledger: LedgerRepository,
    private readonly stock: StockRepository,
  ) {}

  async compute(orderId: string): Promise<{ order: Order; derived: DerivedOrderState } | null> {
    const order = await this.orders.get(orderId);
    if (!order) return null;
    const physical = order.lines.some((line) => line.kind === 'physical');
    const [facts, payments, refunds, movements] = await Promise.all([
      this.ledger.factsOf(orderId),
      this.ledger.paymentsOf(orderId),
      this.ledger.refundsOf(orderId),
      physical ? this.stock.ofOrder(orderId) : [],
    ]);
    const derived = deriveOrderState({
      initialPeriodEnd: order.initialPeriodEnd,
      facts,
      payments,
      refunds,
      allocations: movements
        .filter((m) => m.reason === 'sale' && m.lineId)
        .map((m) => ({
          lineId: m.lineId!,
          sku: m.sku,
          requested: m.requested ?? 0,
          allocated: m.allocated ?? 0,
        })),
    });
    return { order, derived };
  }

  /** Brings the stored order up to date with its facts and returns it. */
  async refresh(orderId: string): Promise<Order> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const current = await this.compute(orderId);
      if (!current) throw new Error(`order ${orderId} vanished`);
      const stored = DERIVED_KEYS.reduce(
        (acc, key) => ({ ...acc, [key]: current.order[key] }),
        {} as DerivedOrderState,
      );
      if (canonical(stored) === canonical(current.derived)) return current.order;
      await this.orders.setDerived(orderId, current.derived);
    }
    throw new Error(`order ${orderId} kept changing while it was refreshed`);
  }
}
