import type { LedgerRepository } from '../db/ledger.repository';
import type { OrderRepository } from '../db/order.repository';
import type { Inventory } from '../domain/inventory';
import type { OrderBook } from '../domain/order-book';
import type { OrderEvents } from '../domain/order-events';
import type { OrderIntake } from '../domain/order-intake';
import type { PaymentLinks } from '../domain/payment-links';
import type { StripeApi } from '../stripe/stripe-api';

/**
 * What the Stripe event handlers work with, built once in app.ts: only the methods they call, so
 * a unit test passes fakes. `events` builds the events (their ids and payloads) and hands them to
 * its emitter, the part a test fakes.
 */
export interface OrdersHandlerDeps {
  orders: Pick<OrderRepository, 'bySubscription' | 'byPaymentIntent'>;
  ledger: Pick<LedgerRepository, 'addFact' | 'addPayment' | 'addRefund' | 'getFact'>;
  book: Pick<OrderBook, 'refresh'>;
  intake: Pick<OrderIntake, 'ensureOrder'>;
  inventory: Pick<Inventory, 'allocate' | 'restock'>;
  links: Pick<PaymentLinks, 'resolve' | 'invoiceOf'>;
  events: OrderEvents;
  stripe: Pick<StripeApi, 'paymentFailure' | 'refundsOfCharge'>;
  /** Put stock back on a full refund or a cancellation. */
  restockOnRefund: boolean;
}
