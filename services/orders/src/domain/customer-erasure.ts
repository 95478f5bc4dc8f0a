import {
  DEFAULT_BILLING_ACCOUNT,
  erasedEmailHash,
  erasedEmailPlaceholder,
  isErasedEmail,
} from '@billing/contracts';
import { BadRequestError, type Cause, type HandledLog } from '@billing/runtime';
import type { CustomerRepository } from '../db/customer.repository';
import type { CustomerErasureRepository } from '../db/customer-erasure.repository';
import type { LedgerRepository } from '../db/ledger.repository';
import type { OrderRepository } from '../db/order.repository';
import type { OrderEvents } from './order-events';

/** How many documents of each collection an erasure changed (0 everywhere when repeated). */
export interface ErasedCounts {
  customers: number;
  orders: number;
  payments: number;
  refunds: number;
}

export interface ErasureOutcome {
  placeholder: string;
  erasedAt: Date;
  /** Id of the `orders.customer.erased.v1` event that tells the other services. */
  eventId: string;
  erased: ErasedCounts;
}

/**
 * Erases a customer's personal data in orders by pseudonymizing it: the email becomes a stable
 * placeholder (`erasedEmailPlaceholder`), names and checkout metadata become empty, receipt URLs
 * go; amounts, ids, lines and statuses stay, because financial records must be kept. Then it
 * announces `orders.customer.erased.v1` through the outbox (no message drives an operator's
 * request, so nothing would publish it again after a crash), and licensing and notifications
 * erase theirs.
 *
 * No transaction is needed: the erasure is recorded by an insert under a unique key, and every
 * write sets fixed values, so a repeated or concurrent request writes the same result. Refunds
 * and payments are rewritten before their orders, because a repeated request finds refunds
 * through the orders (by the email or, once erased, the placeholder).
 */
export class CustomerErasure {
  constructor(
    private readonly deps: {
      customers: Pick<CustomerRepository, 'erase'>;
      orders: Pick<OrderRepository, 'idsOfCustomers' | 'accountsOfCustomers' | 'erase'>;
      ledger: Pick<LedgerRepository, 'erasePayments' | 'eraseRefunds'>;
      erasures: Pick<CustomerErasureRepository, 'last' | 'next'>;
      events: Pick<OrderEvents, 'emit' | 'customerErased'>;
      /** The handled-message log keeps the email of the Stripe events that carried it. */
      handled: Pick<HandledLog, 'eraseEmail'>;
      clock: () => Date;
    },
  ) {}

  /** `email` lower-cased; `requestId` names the operator's request in the record and the event. */
  async erase(email: string, requestId: string): Promise<ErasureOutcome> {
    if (isErasedEmail(email))
      throw new BadRequestError(`${email} is an erasure placeholder`, 'already_erased');
    const { customers, orders, ledger, erasures, events } = this.deps;
    const emailHash = erasedEmailHash(email);
    const placeholder = erasedEmailPlaceholder(email);

    // Orders already erased are included: their refunds may still name the email (a refund
    // stored while an earlier erasure ran).
    const orderIds = await orders.idsOfCustomers([email, placeholder]);
    // Each Stripe account has its own customer of the email (see customerKey).
    const accounts = new Set([
      DEFAULT_BILLING_ACCOUNT,
      ...(await orders.accountsOfCustomers([email, placeholder])),
    ]);
    // Every request is an erasure of its own, with its own event id, so the other services erase
    // again too (data a delayed message stored after an earlier erasure, say). Concurrent requests
    // race for the same insert and share the winner's record and event.
    const erasure = await erasures.next(await erasures.last(emailHash), {
      emailHash,
      placeholder,
      erasedAt: this.deps.clock(),
      requestId,
    });

    const refunds = await ledger.eraseRefunds(orderIds, email, placeholder);
    const payments = await ledger.erasePayments(email, placeholder);
    const erasedOrders = await orders.erase(email, placeholder);
    let erasedCustomers = 0;
    for (const account of accounts) erasedCustomers += await customers.erase(email, placeholder, account);
    await this.deps.handled.eraseEmail(email, placeholder);

    const cause: Cause = { correlationId: `admin:${requestId}`, causationId: `admin:${requestId}` };
    const event = events.customerErased(erasure, email, cause);
    await events.emit(event);
    return {
      placeholder,
      erasedAt: erasure.erasedAt,
      eventId: event.input.id,
      erased: { customers: erasedCustomers, orders: erasedOrders, payments, refunds },
    };
  }
}
