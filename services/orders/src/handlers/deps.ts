import type { HandlerContext } from '@billing/runtime';
import type { StripeEventShape } from '@billing/contracts';
import type { LedgerRepository } from '../db/ledger.repository';
import type { OrderRepository } from '../db/order.repository';
import type { Inventory } from '../domain/inventory';
import type { OrderBook } from '../domain/order-book';
import type { Cause, OrderEvents } from '../domain/order-events';
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

/** The Stripe object of an event, read as the given wire shape (see stripe-objects.ts). */
export function objectOf<T>(event: StripeEventShape): T {
  return event.data.object as unknown as T;
}

/** Stripe's `created` of the event. */
export function eventTime(event: StripeEventShape): Date {
  return new Date(event.created * 1000);
}

export function causeOf(ctx: Pick<HandlerContext, 'messageId' | 'correlationId'>): Cause {
  return { correlationId: ctx.correlationId, causationId: ctx.messageId };
}
