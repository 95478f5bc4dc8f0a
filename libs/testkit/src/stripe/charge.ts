/**
 * Charges and refunds as `charge.*` and `refund.*` events carry them.
 *
 * - Since 2022-11-15 a charge no longer embeds `refunds`; webhook bodies carry only `amount_refunded`
 *   and `refunded`. {@link ChargeOptions.expandRefunds} adds the list the way
 *   `GET /v1/charges/:id?expand[]=refunds` returns it.
 * - Since 2025-03-31.basil a charge has no `invoice`; the `'legacy'` shape (acacia) keeps it.
 *
 * @see https://docs.stripe.com/api/charges/object
 * @see https://docs.stripe.com/api/refunds/object
 * @see https://docs.stripe.com/changelog/2022-11-15/deprecates-charges-auto-expand
 * @see https://docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices
 */
import { cardPaymentMethod } from './payment-intent';
import {
  balanceTransactionId,
  chargeId as newChargeId,
  paymentIntentId as newPaymentIntentId,
  randomBase62,
  refundId,
} from './ids';
import { list, nowSeconds } from './shape';
import type { Charge, PayloadShape, PaymentMethod, Refund } from './shape';

export interface ChargeOptions {
  id?: string;
  amount?: number;
  /** Defaults to the sum of `refunds`, else 0. */
  amountRefunded?: number;
  /** Defaults to `amountRefunded === amount`. */
  refunded?: boolean;
  /** `'failed'` renders the insufficient-funds decline that matches `paymentIntent({ lastPaymentError: true })`. */
  status?: 'succeeded' | 'failed' | 'pending';
  currency?: string;
  paymentIntentId?: string | null;
  customerId?: string | null;
  paymentMethod?: PaymentMethod;
  description?: string | null;
  metadata?: Record<string, string>;
  refunds?: Refund[];
  /** Include `refunds` as an expanded list (never present in webhook bodies). */
  expandRefunds?: boolean;
  /** Legacy shape only: the invoice this charge paid. */
  invoiceId?: string | null;
  receiptEmail?: string | null;
  created?: number;
  livemode?: boolean;
  shape?: PayloadShape;
}

export type LegacyCharge = Charge & { invoice: string | null };

export function charge(opts: ChargeOptions & { shape: 'legacy' }): LegacyCharge;
export function charge(opts?: ChargeOptions & { shape?: 'basil' }): Charge;
export function charge(opts?: ChargeOptions): Charge | LegacyCharge;
export function charge(opts: ChargeOptions = {}): Charge | LegacyCharge {
  const id = opts.id ?? newChargeId();
  const created = opts.created ?? nowSeconds();
  const livemode = opts.livemode ?? false;
  const amount = opts.amount ?? 2000;
  const status = opts.status ?? 'succeeded';
  const failed = status === 'failed';
  const refundedSoFar = (opts.refunds ?? []).reduce((sum, r) => sum + r.amount, 0);
  const amountRefunded = opts.amountRefunded ?? refundedSoFar;
  const customer = opts.customerId ?? null;
  const method = opts.paymentMethod ?? cardPaymentMethod({ customerId: customer, livemode, created });
  const card = method.card;
  const c: Charge = {
    id,
    object: 'charge',
    amount,
    amount_captured: status === 'succeeded' ? amount : 0,
    amount_refunded: amountRefunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: status === 'succeeded' ? balanceTransactionId() : null,
    billing_details: method.billing_details,
    calculated_statement_descriptor: 'BILLING EVENTS',
    captured: status === 'succeeded',
    created,
    currency: opts.currency ?? 'usd',
    customer,
    description: opts.description ?? null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: failed ? 'card_declined' : null,
    failure_message: failed ? 'Your card has insufficient funds.' : null,
    fraud_details: {},
    livemode,
    metadata: opts.metadata ?? {},
    on_behalf_of: null,
    outcome: failed
      ? {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'declined_by_network',
          reason: 'insufficient_funds',
          risk_level: 'normal',
          risk_score: 12,
          seller_message: 'The bank returned the decline code `insufficient_funds`.',
          type: 'issuer_declined',
        }
      : {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          risk_score: 12,
          seller_message: 'Payment complete.',
          type: 'authorized',
        },
    paid: status === 'succeeded',
    payment_intent: opts.paymentIntentId === undefined ? newPaymentIntentId() : opts.paymentIntentId,
    payment_method: method.id,
    payment_method_details: {
      card: {
        amount_authorized: failed ? null : amount,
        authorization_code: failed ? null : String(100000 + Math.floor(Math.random() * 900000)),
        brand: card?.brand ?? 'visa',
        checks: card?.checks ?? null,
        country: card?.country ?? 'US',
        electronic_commerce_indicator: null,
        exp_month: card?.exp_month ?? 12,
        exp_year: card?.exp_year ?? 2030,
        extended_authorization: { status: 'disabled' },
        fingerprint: card?.fingerprint ?? null,
        funding: card?.funding ?? 'credit',
        incremental_authorization: { status: 'unavailable' },
        installments: null,
        last4: card?.last4 ?? '4242',
        mandate: null,
        multicapture: { status: 'unavailable' },
        network: card?.brand ?? 'visa',
        network_token: { used: false },
        network_transaction_id: failed ? null : randomBase62(15),
        overcapture: { maximum_amount_capturable: amount, status: 'unavailable' },
        regulated_status: 'unregulated',
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null,
      },
      type: 'card',
    },
    radar_options: {},
    receipt_email: opts.receiptEmail ?? null,
    receipt_number: null,
    receipt_url: `https://pay.stripe.com/receipts/payment/${randomBase62(100)}`,
    refunded: opts.refunded ?? (amountRefunded > 0 && amountRefunded === amount),
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status,
    transfer_data: null,
    transfer_group: null,
  };
  if (opts.expandRefunds) c.refunds = list(opts.refunds ?? [], `/v1/charges/${id}/refunds`);
  return opts.shape === 'legacy' ? { ...c, invoice: opts.invoiceId ?? null } : c;
}

export interface RefundOptions {
  id?: string;
  amount?: number;
  chargeId?: string;
  paymentIntentId?: string | null;
  customerId?: string | null;
  paymentMethodId?: string | null;
  currency?: string;
  reason?: 'requested_by_customer' | 'duplicate' | 'fraudulent' | null;
  status?: 'succeeded' | 'pending' | 'failed' | 'canceled';
  metadata?: Record<string, string>;
  created?: number;
}

/** Refunds look the same in both shapes. */
export function refund(opts: RefundOptions = {}): Refund {
  return {
    id: opts.id ?? refundId(),
    object: 'refund',
    amount: opts.amount ?? 2000,
    balance_transaction: balanceTransactionId(),
    charge: opts.chargeId ?? newChargeId(),
    created: opts.created ?? nowSeconds(),
    currency: opts.currency ?? 'usd',
    customer: opts.customerId ?? null,
    customer_account: null,
    destination_details: {
      card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
      type: 'card',
    },
    metadata: opts.metadata ?? {},
    payment_intent: opts.paymentIntentId ?? null,
    payment_method: opts.paymentMethodId ?? null,
    reason: opts.reason === undefined ? 'requested_by_customer' : opts.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: opts.status ?? 'succeeded',
    transfer_reversal: null,
  };
}
