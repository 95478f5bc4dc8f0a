/**
 * PaymentIntents and card PaymentMethods as `payment_intent.*` events carry them.
 *
 * `'basil'` follows {@link CURRENT_API_VERSION}: since 2025-03-31.basil a PaymentIntent no longer has
 * `invoice`; an invoice's payments are InvoicePayment objects instead. `'legacy'` (acacia) keeps
 * `invoice` (null for one-time payments). `last_payment_error` for a declined card follows what Stripe
 * returns for test card 4000 0000 0000 9995: `card_error` / `card_declined` / `insufficient_funds`,
 * with the PaymentMethod that failed embedded, and the PaymentIntent back in `requires_payment_method`
 * with `payment_method` cleared.
 *
 * @see https://docs.stripe.com/api/payment_intents/object
 * @see https://docs.stripe.com/declines/codes
 * @see https://docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices
 */
import {
  cardFingerprint,
  chargeId as newChargeId,
  paymentIntentId as newPaymentIntentId,
  paymentMethodId,
  randomBase62,
} from './ids';
import { EMPTY_ADDRESS, nowSeconds } from './shape';
import type { PayloadShape, PaymentIntent, PaymentMethod } from './shape';

export interface PaymentMethodOptions {
  id?: string;
  customerId?: string | null;
  email?: string | null;
  name?: string | null;
  last4?: string;
  brand?: string;
  fingerprint?: string;
  created?: number;
  livemode?: boolean;
}

export function cardPaymentMethod(opts: PaymentMethodOptions = {}): PaymentMethod {
  const brand = opts.brand ?? 'visa';
  return {
    id: opts.id ?? paymentMethodId(),
    object: 'payment_method',
    allow_redisplay: 'limited',
    billing_details: {
      address: { ...EMPTY_ADDRESS, country: 'US', postal_code: '94107' },
      email: opts.email ?? 'buyer@example.com',
      name: opts.name === undefined ? 'Jenny Rosen' : opts.name,
      phone: null,
      tax_id: null,
    },
    card: {
      brand,
      checks: { address_line1_check: null, address_postal_code_check: 'pass', cvc_check: 'pass' },
      country: 'US',
      display_brand: brand,
      exp_month: 12,
      exp_year: new Date().getUTCFullYear() + 5,
      fingerprint: opts.fingerprint ?? cardFingerprint(),
      funding: 'credit',
      generated_from: null,
      last4: opts.last4 ?? '4242',
      networks: { available: [brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: opts.created ?? nowSeconds(),
    customer: opts.customerId ?? null,
    customer_account: null,
    livemode: opts.livemode ?? false,
    metadata: {},
    type: 'card',
  };
}

export type LastPaymentError = NonNullable<PaymentIntent['last_payment_error']>;

/** The error Stripe records when the issuer declines for insufficient funds. */
export function insufficientFundsError(opts: {
  chargeId: string;
  paymentMethod: PaymentMethod;
}): LastPaymentError {
  return {
    charge: opts.chargeId,
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    doc_url: 'https://docs.stripe.com/error-codes/card-declined',
    message: 'Your card has insufficient funds.',
    payment_method: opts.paymentMethod,
    type: 'card_error',
  };
}

export interface PaymentIntentOptions {
  id?: string;
  status?: 'succeeded' | 'requires_payment_method' | 'requires_action' | 'processing' | 'canceled';
  amount?: number;
  currency?: string;
  customerId?: string | null;
  metadata?: Record<string, string>;
  /** Stripe sets `Subscription creation` / `Subscription update` on invoice payments. */
  description?: string | null;
  /** The card used; generated for succeeded payments and declines when omitted. */
  paymentMethod?: PaymentMethod;
  /** A non-card method's id (e.g. a `us_bank_account`); used instead of generating a card. */
  paymentMethodId?: string;
  latestChargeId?: string | null;
  /** `true` for the standard insufficient-funds decline, or a prepared error. */
  lastPaymentError?: boolean | LastPaymentError;
  /** Legacy shape only: the invoice this payment pays. */
  invoiceId?: string | null;
  paymentMethodTypes?: string[];
  created?: number;
  livemode?: boolean;
  shape?: PayloadShape;
}

export type LegacyPaymentIntent = PaymentIntent & { invoice: string | null };

export function paymentIntent(opts: PaymentIntentOptions & { shape: 'legacy' }): LegacyPaymentIntent;
export function paymentIntent(opts?: PaymentIntentOptions & { shape?: 'basil' }): PaymentIntent;
export function paymentIntent(opts?: PaymentIntentOptions): PaymentIntent | LegacyPaymentIntent;
export function paymentIntent(opts: PaymentIntentOptions = {}): PaymentIntent | LegacyPaymentIntent {
  const id = opts.id ?? newPaymentIntentId();
  const created = opts.created ?? nowSeconds();
  const livemode = opts.livemode ?? false;
  const declined = opts.lastPaymentError !== undefined && opts.lastPaymentError !== false;
  const status = opts.status ?? (declined ? 'requires_payment_method' : 'succeeded');
  const amount = opts.amount ?? 2000;
  const customer = opts.customerId ?? null;
  const attempted = status === 'succeeded' || status === 'processing' || declined;
  const latestCharge =
    opts.latestChargeId !== undefined ? opts.latestChargeId : attempted ? newChargeId() : null;
  const method =
    opts.paymentMethod ??
    (attempted && opts.paymentMethodId === undefined
      ? cardPaymentMethod({ customerId: customer, livemode, created })
      : undefined);
  const methodId = method?.id ?? opts.paymentMethodId ?? null;
  let lastPaymentError: LastPaymentError | null = null;
  if (opts.lastPaymentError === true && method) {
    lastPaymentError = insufficientFundsError({
      chargeId: latestCharge ?? newChargeId(),
      paymentMethod: method,
    });
  } else if (typeof opts.lastPaymentError === 'object') {
    lastPaymentError = opts.lastPaymentError;
  }
  const intent: PaymentIntent = {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: status === 'succeeded' ? amount : 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: status === 'canceled' ? created + 1 : null,
    cancellation_reason: status === 'canceled' ? 'abandoned' : null,
    capture_method: 'automatic_async',
    client_secret: `${id}_secret_${randomBase62(25)}`,
    confirmation_method: 'automatic',
    created,
    currency: opts.currency ?? 'usd',
    customer,
    customer_account: null,
    description: opts.description ?? null,
    excluded_payment_method_types: null,
    last_payment_error: lastPaymentError,
    latest_charge: latestCharge,
    livemode,
    managed_payments: null,
    metadata: opts.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    // After a decline Stripe detaches the failed method so the customer can supply another one.
    payment_method: declined ? null : methodId,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: opts.paymentMethodTypes ?? ['card'],
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status,
    transfer_data: null,
    transfer_group: null,
  };
  return opts.shape === 'legacy' ? { ...intent, invoice: opts.invoiceId ?? null } : intent;
}
