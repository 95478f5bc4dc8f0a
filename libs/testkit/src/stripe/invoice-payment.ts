/**
 * The `invoice_payment` object: since 2025-03-31.basil the link between an invoice and the
 * PaymentIntent that paid it (replacing `invoice.payment_intent` and `payment_intent.invoice`).
 * Listed by `GET /v1/invoice_payments?invoice=…` and, when expanded, under `invoice.payments`.
 *
 * @see https://docs.stripe.com/api/invoice-payment
 * @see https://docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices
 */
import { invoicePaymentId } from './ids';
import { nowSeconds } from './shape';
import type { InvoicePayment } from './shape';

export interface InvoicePaymentOptions {
  invoiceId: string;
  paymentIntentId: string;
  amount: number;
  amountPaid?: number | null;
  currency?: string;
  created?: number;
  livemode?: boolean;
}

/** The `invoice_payment` object (basil and later); `GET /v1/invoice_payments?invoice=…` lists these. */
export function invoicePayment(opts: InvoicePaymentOptions): InvoicePayment {
  const created = opts.created ?? nowSeconds();
  const amountPaid = opts.amountPaid === undefined ? opts.amount : opts.amountPaid;
  const settled = amountPaid !== null && amountPaid >= opts.amount;
  return {
    id: invoicePaymentId(),
    object: 'invoice_payment',
    amount_paid: amountPaid,
    amount_requested: opts.amount,
    created,
    currency: opts.currency ?? 'usd',
    invoice: opts.invoiceId,
    is_default: true,
    livemode: opts.livemode ?? false,
    payment: { payment_intent: opts.paymentIntentId, type: 'payment_intent' },
    status: settled ? 'paid' : 'open',
    status_transitions: { canceled_at: null, paid_at: settled ? created : null },
  };
}
