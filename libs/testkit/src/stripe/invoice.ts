/**
 * Subscription invoices as `invoice.*` events carry them, plus the InvoicePayment that links an invoice
 * to its PaymentIntent since basil.
 *
 * `'basil'` follows {@link CURRENT_API_VERSION}. Since 2025-03-31.basil:
 * - the subscription is at `parent.subscription_details.subscription` (`parent.type =
 *   'subscription_details'`); top-level `subscription`, `subscription_details` and `quote` are gone;
 * - each line carries `parent.subscription_item_details` (subscription item, proration) and
 *   `pricing.price_details` (price and product ids) instead of `price`, `plan`, `type`,
 *   `subscription_item`, `proration`; `tax_amounts` became `taxes`;
 * - `payment_intent`, `charge`, `paid` and `paid_out_of_band` are gone. The link to the payment is an
 *   InvoicePayment, listed under `payments` only when the invoice is fetched with `expand[]=payments`
 *   (webhook bodies never include it) or via `GET /v1/invoice_payments?invoice=…`.
 * `'legacy'` (2025-02-24.acacia) keeps the old fields; ./legacy-invoice renders it.
 *
 * `periodStart`/`periodEnd` are the service period of the subscription line (`lines.data[0].period`),
 * the dates a license should follow. The invoice's own `period_start`/`period_end` mean something else
 * in Stripe (the period that just ended, or the creation time for a first invoice) and are derived.
 *
 * @see https://docs.stripe.com/changelog/basil/2025-03-31/adds-new-parent-field-to-invoicing-objects
 * @see https://docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices
 * @see https://docs.stripe.com/api/invoices/object
 */
import { price as buildPrice } from './catalog';
import {
  chargeId as newChargeId,
  customerId as newCustomerId,
  invoiceId as newInvoiceId,
  invoiceLineItemId,
  paymentIntentId as newPaymentIntentId,
  randomBase62,
  subscriptionId as newSubscriptionId,
  subscriptionItemId as newSubscriptionItemId,
} from './ids';
import { invoicePayment } from './invoice-payment';
import { toLegacyInvoice } from './legacy-invoice';
import type { LegacyInvoice } from './legacy-invoice';
import { addMonths, list, nowSeconds } from './shape';
import type { Invoice, InvoiceLineItem, PayloadShape, Price } from './shape';

export type BillingReason = 'subscription_create' | 'subscription_cycle' | 'subscription_update';

export interface InvoiceOptions {
  id?: string;
  subscriptionId?: string;
  subscriptionItemId?: string;
  customerId?: string;
  customerEmail?: string | null;
  customerName?: string | null;
  billingReason?: BillingReason;
  /** Full price on the line; built from the fields below when omitted. */
  price?: Price;
  priceId?: string;
  productId?: string;
  productName?: string;
  unitAmount?: number;
  /** Defaults to the line amount (unit amount × quantity) when the invoice is paid, else 0. */
  amountPaid?: number;
  quantity?: number;
  currency?: string;
  periodStart?: number;
  periodEnd?: number;
  status?: 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';
  /** Copied by Stripe onto `parent.subscription_details.metadata` and the line's `metadata`. */
  subscriptionMetadata?: Record<string, string>;
  /** Legacy `payment_intent` / basil InvoicePayment; generated for finalized invoices when omitted. */
  paymentIntentId?: string | null;
  /** Legacy only: the charge of the last payment attempt. */
  chargeId?: string | null;
  attemptCount?: number;
  nextPaymentAttempt?: number | null;
  proration?: boolean;
  /** Basil only: include `payments` as `GET /v1/invoices/:id?expand[]=payments` returns it. */
  expandPayments?: boolean;
  created?: number;
  livemode?: boolean;
  shape?: PayloadShape;
}

export function invoice(opts: InvoiceOptions & { shape: 'legacy' }): LegacyInvoice;
export function invoice(opts?: InvoiceOptions & { shape?: 'basil' }): Invoice;
export function invoice(opts?: InvoiceOptions): Invoice | LegacyInvoice;
export function invoice(opts: InvoiceOptions = {}): Invoice | LegacyInvoice {
  const id = opts.id ?? newInvoiceId();
  const created = opts.created ?? nowSeconds();
  const status = opts.status ?? 'paid';
  const finalized = status !== 'draft';
  const paid = status === 'paid';
  const livemode = opts.livemode ?? false;
  const subscriptionId = opts.subscriptionId ?? newSubscriptionId();
  const billingReason = opts.billingReason ?? 'subscription_create';
  const linePrice =
    opts.price ??
    buildPrice({
      ...(opts.priceId !== undefined && { id: opts.priceId }),
      ...(opts.productId !== undefined && { productId: opts.productId }),
      ...(opts.unitAmount !== undefined && { unitAmount: opts.unitAmount }),
      ...(opts.currency !== undefined && { currency: opts.currency }),
      livemode,
    });
  const quantity = opts.quantity ?? 1;
  const amount = (linePrice.unit_amount ?? 0) * quantity;
  const amountPaid = opts.amountPaid ?? (paid ? amount : 0);
  const periodStart = opts.periodStart ?? created;
  const periodEnd = opts.periodEnd ?? addMonths(periodStart, 1);
  const metadata = opts.subscriptionMetadata ?? {};
  const paymentIntentId =
    opts.paymentIntentId === undefined ? (finalized ? newPaymentIntentId() : null) : opts.paymentIntentId;

  const line: InvoiceLineItem = {
    id: invoiceLineItemId(),
    object: 'line_item',
    amount,
    currency: linePrice.currency,
    description: `${quantity} × ${opts.productName ?? 'Pro license'} (at ${formatMoney(linePrice.unit_amount ?? 0, linePrice.currency)} / ${linePrice.recurring?.interval ?? 'month'})`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: id,
    livemode,
    metadata,
    parent: {
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: opts.proration ?? false,
        proration_details: { credited_items: null },
        subscription: subscriptionId,
        subscription_item: opts.subscriptionItemId ?? newSubscriptionItemId(),
      },
      type: 'subscription_item_details',
    },
    period: { end: periodEnd, start: periodStart },
    pretax_credit_amounts: [],
    pricing: {
      price_details: {
        price: linePrice.id,
        product: typeof linePrice.product === 'string' ? linePrice.product : linePrice.product.id,
      },
      type: 'price_details',
      unit_amount_decimal: linePrice.unit_amount_decimal,
    },
    quantity,
    quantity_decimal: String(quantity),
    subscription: subscriptionId,
    subtotal: amount,
    taxes: [],
  };

  const accountSlug = `acct_1${randomBase62(15)}`;
  const hostedSlug = `${livemode ? 'live' : 'test'}_${randomBase62(60)}`;
  const finalizedAt = finalized ? created + 1 : null;
  const inv: Invoice = {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Billing Events Test',
    account_tax_ids: null,
    amount_due: amount,
    amount_overpaid: 0,
    amount_paid: amountPaid,
    amount_remaining: amount - amountPaid,
    amount_shipping: 0,
    application: null,
    attempt_count: opts.attemptCount ?? (finalized && amount > 0 ? 1 : 0),
    attempted: finalized && amount > 0,
    auto_advance: !paid && status === 'open',
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: billingReason,
    collection_method: 'charge_automatically',
    created,
    currency: linePrice.currency,
    custom_fields: null,
    customer: opts.customerId ?? newCustomerId(),
    customer_account: null,
    customer_address: null,
    customer_email: opts.customerEmail === undefined ? 'buyer@example.com' : opts.customerEmail,
    customer_name: opts.customerName === undefined ? 'Jenny Rosen' : opts.customerName,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: finalizedAt,
    ending_balance: finalized ? 0 : null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: finalized ? `https://invoice.stripe.com/i/${accountSlug}/${hostedSlug}?s=ap` : null,
    invoice_pdf: finalized ? `https://pay.stripe.com/invoice/${accountSlug}/${hostedSlug}/pdf?s=ap` : null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: list([line], `/v1/invoices/${id}/lines`),
    livemode,
    metadata: {},
    next_payment_attempt: opts.nextPaymentAttempt !== undefined ? opts.nextPaymentAttempt : null,
    number: finalized ? `${randomBase62(8).toUpperCase()}-0001` : null,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata, subscription: subscriptionId },
      type: 'subscription_details',
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    ...invoicePeriod(billingReason, created, periodStart),
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: {
      amount_tax_display: null,
      pdf: { page_size: 'auto' },
      template: null,
      template_version: null,
    },
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status,
    status_transitions: {
      finalized_at: finalizedAt,
      marked_uncollectible_at: status === 'uncollectible' ? created + 2 : null,
      paid_at: paid ? created + 2 : null,
      voided_at: status === 'void' ? created + 2 : null,
    },
    subtotal: amount,
    subtotal_excluding_tax: amount,
    test_clock: null,
    total: amount,
    total_discount_amounts: [],
    total_excluding_tax: amount,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: created,
  };

  if (opts.shape === 'legacy') {
    return toLegacyInvoice(inv, linePrice, {
      paymentIntentId,
      chargeId:
        opts.chargeId === undefined
          ? paymentIntentId && inv.attempted
            ? newChargeId()
            : null
          : opts.chargeId,
    });
  }
  if (opts.expandPayments && paymentIntentId) {
    inv.payments = list(
      [
        invoicePayment({
          invoiceId: id,
          paymentIntentId,
          amount,
          amountPaid,
          currency: inv.currency,
          created: created + 1,
          livemode,
        }),
      ],
      `/v1/invoices/${id}/payments`,
    );
  }
  return inv;
}

/** Stripe's own invoice period: the creation time for a first invoice, the elapsed period for a renewal. */
function invoicePeriod(
  reason: BillingReason,
  created: number,
  lineStart: number,
): { period_start: number; period_end: number } {
  if (reason === 'subscription_cycle')
    return { period_start: addMonths(lineStart, -1), period_end: lineStart };
  return { period_start: created, period_end: created };
}

function formatMoney(minor: number, currency: string): string {
  const symbol = currency === 'usd' ? '$' : currency === 'eur' ? '€' : `${currency.toUpperCase()} `;
  return `${symbol}${(minor / 100).toFixed(2)}`;
}
