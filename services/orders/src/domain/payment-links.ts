import type { Order } from '../db/order.model';
import type { OrderRepository } from '../db/order.repository';
import type { InvoiceLink, StripeApi } from '../stripe/stripe-api';
import type { StripeScope } from '../stripe/stripe-event';
import { idOf } from '../stripe/stripe-objects';

/** A PaymentIntent or charge, as far as finding its order goes. */
export interface PaymentRef {
  paymentIntentId: string | null;
  /**
   * Legacy payloads name the invoice (or say `null`: not an invoice payment); basil payloads have
   * no such field (`undefined`), and Stripe's InvoicePayments API is asked instead.
   */
  invoice: unknown;
  /** The event's account, for the Stripe API calls that find the invoice. */
  scope: StripeScope;
}

export interface ResolvedPayment {
  order: Order | null;
  invoice: InvoiceLink | null;
}

/**
 * Finds the order a payment belongs to: a payment-mode order by its PaymentIntent, else the
 * subscription order of the invoice the payment paid.
 */
export class PaymentLinks {
  constructor(
    private readonly orders: OrderRepository,
    private readonly stripe: StripeApi,
  ) {}

  async resolve(ref: PaymentRef): Promise<ResolvedPayment> {
    if (ref.paymentIntentId) {
      const order = await this.orders.byPaymentIntent(ref.paymentIntentId);
      if (order) return { order, invoice: null };
    }
    const invoice = await this.invoiceOf(ref);
    const order = invoice?.subscriptionId ? await this.orders.bySubscription(invoice.subscriptionId) : null;
    return { order, invoice };
  }

  async invoiceOf(ref: PaymentRef): Promise<InvoiceLink | null> {
    const legacyInvoiceId = idOf(ref.invoice);
    if (legacyInvoiceId) return this.stripe.invoiceLink(legacyInvoiceId, ref.scope);
    if (ref.invoice === null || !ref.paymentIntentId) return null;
    return this.stripe.invoiceOfPaymentIntent(ref.paymentIntentId, ref.scope);
  }
}
