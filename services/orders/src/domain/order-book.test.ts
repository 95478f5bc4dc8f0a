import type { LedgerRepository } from '../db/ledger.repository';
import type { Order } from '../db/order.model';
import type { OrderRepository } from '../db/order.repository';
import type { Payment } from '../db/payment.model';
import type { StockRepository } from '../db/stock.repository';
import { OrderBook } from './order-book';
import { deriveOrderState, type DerivedOrderState } from './order-state';

const pause = () => new Promise<void>((resolve) => setTimeout(resolve, Math.floor(Math.random() * 6)));

/** One order in memory; every call yields to the others first, so concurrent writers interleave. */
function fakeStore(initial: Order) {
  let stored: Order = structuredClone(initial);
  const payments: Payment[] = [];
  const orders = {
    get: async () => {
      await pause();
      return structuredClone(stored);
    },
    setDerived: async (_id: string, derived: DerivedOrderState, revision: number) => {
      await pause();
      // The store's single-document update is atomic: the check and the write happen together.
      if (stored.revision !== revision) return false;
      stored = { ...stored, ...structuredClone(derived), revision: revision + 1 };
      return true;
    },
  };
  const ledger = {
    factsOf: async () => [{ key: 'confirmed:o', kind: 'confirmed' as const, at: new Date(0) }],
    paymentsOf: async () => {
      await pause();
      return structuredClone(payments);
    },
    refundsOf: async () => [],
  };
  const book = new OrderBook(
    orders as unknown as OrderRepository,
    ledger as unknown as LedgerRepository,
    {} as StockRepository,
  );
  return {
    book,
    stored: () => stored,
    read: orders.get,
    async addPayment(n: number) {
      await pause();
      payments.push({ paymentId: `pi_${n}`, amount: 100, paidAt: new Date(n * 1000) } as Payment);
    },
  };
}

function newOrder(): Order {
  return {
    orderId: 'o',
    lines: [],
    initialPeriodEnd: null,
    revision: 0,
    ...deriveOrderState({ initialPeriodEnd: null, facts: [], payments: [], refunds: [], allocations: [] }),
  } as unknown as Order;
}

describe('OrderBook.refresh', () => {
  it('ends with every fact folded in, whatever the interleaving of concurrent writers', async () => {
    for (let run = 0; run < 50; run++) {
      const store = fakeStore(newOrder());
      const writers = Array.from({ length: 5 }, async (_, n) => {
        // Half of the writers pass the order they read before inserting their fact, as handlers do.
        const known = n % 2 === 0 ? await store.read() : undefined;
        await store.addPayment(n);
        return store.book.refresh('o', known);
      });
      await Promise.all(writers);
      expect(store.stored().amountPaid).toBe(500);
      expect(store.stored().status).toBe('confirmed');
    }
  });

  it('leaves the state as it was on a redelivery with nothing new', async () => {
    const store = fakeStore(newOrder());
    await store.addPayment(1);
    const first = await store.book.refresh('o');
    expect(first.revision).toBe(1);
    const again = await store.book.refresh('o', store.stored());
    expect(again.amountPaid).toBe(100);
    expect(store.stored().amountPaid).toBe(100);
  });
});
