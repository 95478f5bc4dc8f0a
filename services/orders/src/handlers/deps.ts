import type { LedgerRepository } from '../db/ledger.repository';
import type { OrderRepository } from '../db/order.repository';
import type { Inventory } from '../domain/inventory';
import type { OrderBook } from '../domain/order-book';
import type { OrderEvents } from '../domain/order-events';
import type { OrderIntake } from '../domain/order-intake';
import type { PaymentLinks } from '../domain/payment-links';
import type { StripeApi } from '../stripe/stripe-api';

/** What the Stripe event handlers work with; built once in app.ts. */
export interface OrdersHandlerDeps {
  orders: OrderRepository;
  ledger: LedgerRepository;
  book: OrderBook;
  intake: OrderIntake;
  inventory: Inventory;
  links: PaymentLinks;
  events: OrderEvents;
  stripe: StripeApi;
  /** Put stock back on a full refund or a cancellation. */
  restockOnRefund: boolean;
}
