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
 * Facts are inserted by whichever replica handles their Stripe event, and the state is written
 * with a compare-and-set on the order's revision. A writer folds the facts it reads after
 * inserting its own, and writes naming the revision it read the order at; the write fails if
 * another writer wrote since. Then it reads the order again, folds again, and may stop without
 * writing only if the state is already right: that revision was written after its fact existed,
 * so any writer that writes later read the order after it, and the facts, its own included,
 * after that. So the last write always folds every fact whose writer has finished.
 */
export class OrderBook {
  constructor(
    private readonly orders: OrderRepository,
    private readonly ledger: LedgerRepository,
    private readonly stock: StockRepository,
  ) {}

  /** The state the order's stored facts give. */
  async derive(order: Order): Promise<DerivedOrderState> {
    const { orderId } = order;
    const physical = order.lines.some((line) => line.kind === 'physical');
    const [facts, payments, refunds, movements] = await Promise.all([
      this.ledger.factsOf(orderId),
      this.ledger.paymentsOf(orderId),
      this.ledger.refundsOf(orderId),
      physical ? this.stock.ofOrder(orderId) : [],
    ]);
    return deriveOrderState({
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
  }

  /**
   * Brings the stored order up to date with its facts and returns it. Call it after inserting a
   * fact; `known` is the order as read (or stored) before that insert, which spares one read:
   * its revision is checked by the write.
   */
  async refresh(orderId: string, known?: Order): Promise<Order> {
    let order = known ?? (await this.orders.get(orderId));
    let readAfterOurFact = known === undefined;
    // Only a revision written after the caller's fact existed may be trusted to include it.
    let trusted = false;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (!order) throw new Error(`order ${orderId} vanished`);
      const derived = await this.derive(order);
      if (trusted && canonical(stateOf(order)) === canonical(derived)) return order;
      const revision = order.revision ?? 0;
      if (await this.orders.setDerived(orderId, derived, revision)) {
        return { ...order, ...derived, revision: revision + 1 };
      }
      // Another writer wrote after our last read; if that read followed our fact, so did the write.
      trusted = readAfterOurFact;
      order = await this.orders.get(orderId);
      readAfterOurFact = true;
    }
    throw new Error(`order ${orderId} kept changing while it was refreshed`);
  }
}

function stateOf(order: Order): DerivedOrderState {
  return DERIVED_KEYS.reduce((acc, key) => ({ ...acc, [key]: order[key] }), {} as DerivedOrderState);
}
