/**
 * Checkout Session objects as `checkout.session.*` events carry them.
 *
 * The `'basil'` shape is the one {@link CURRENT_API_VERSION} renders. Moves that matter to a reader:
 * - 2025-03-31.basil dropped `shipping_details` (now `collected_information.shipping_details`) and, in
 *   subscription mode, creates the subscription only after the payment succeeds.
 * - 2026-03-25.dahlia renamed `ui_mode` `hosted` to `hosted_page`.
 * - `line_items` is never in the event; fetch `GET /v1/checkout/sessions/:id/line_items` (see
 *   `lineItem` in ./catalog).
 * In subscription mode Stripe sets `subscription` and `invoice` and leaves `payment_intent` null; in
 * payment mode it sets `payment_intent` and leaves `invoice` null unless invoice creation is on.
 *
 * @see https://docs.stripe.com/api/checkout/sessions/object
 * @see https://docs.stripe.com/changelog/dahlia/2026-03-25/updates-available-checkout-session-ui-modes
 * @see https://docs.stripe.com/changelog/basil
 */
import {
  checkoutSessionId,
  customerId as newCustomerId,
  paymentIntentId,
  paymentMethodConfigurationId,
} from './ids';
import { DAY, EMPTY_ADDRESS, nowSeconds } from './shape';
import type { CheckoutSession, PayloadShape } from './shape';

export interface CheckoutSessionOptions {
  id?: string;
  mode?: 'payment' | 'subscription';
  email?: string;
  name?: string | null;
  /** `null` for a guest payment-mode checkout that did not create a customer. */
  customerId?: string | null;
  /** `'paid'` once the payment succeeded; `'unpaid'` while a delayed method (SEPA, ACH) is pending. */
  paymentStatus?: 'paid' | 'unpaid' | 'no_payment_required';
  status?: 'open' | 'complete' | 'expired';
  amountTotal?: number;
  amountSubtotal?: number;
  currency?: string;
  clientReferenceId?: string | null;
  metadata?: Record<string, string>;
  /** Payment mode only; generated when omitted. */
  paymentIntentId?: string | null;
  /** Subscription mode only. */
  subscriptionId?: string | null;
  invoiceId?: string | null;
  /** Defaults to `['card']`; a bank debit such as `us_bank_account` is what makes a payment async. */
  paymentMethodTypes?: string[];
  created?: number;
  livemode?: boolean;
  shape?: PayloadShape;
}

/** The legacy shape still has the top-level `shipping_details` basil removed. */
export type LegacyCheckoutSession = CheckoutSession & { shipping_details: null };

export function checkoutSession(opts: CheckoutSessionOptions & { shape: 'legacy' }): LegacyCheckoutSession;
export function checkoutSession(opts?: CheckoutSessionOptions): CheckoutSession;
export function checkoutSession(opts: CheckoutSessionOptions = {}): CheckoutSession | LegacyCheckoutSession {
  const mode = opts.mode ?? 'payment';
  const subscriptionMode = mode === 'subscription';
  const created = opts.created ?? nowSeconds();
  const status = opts.status ?? 'complete';
  const amountTotal = opts.amountTotal ?? 2000;
  const livemode = opts.livemode ?? false;
  const shape = opts.shape ?? 'basil';
  const customer = opts.customerId === undefined ? newCustomerId() : opts.customerId;
  const id = opts.id ?? checkoutSessionId(livemode);
  const session: CheckoutSession = {
    id,
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: opts.amountSubtotal ?? amountTotal,
    amount_total: amountTotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: 'https://example.com/checkout/cancel',
    client_reference_id: opts.clientReferenceId ?? null,
    client_secret: null,
    collected_information: { business_name: null, individual_name: null, shipping_details: null },
    consent: null,
    consent_collection: null,
    created,
    currency: opts.currency ?? 'usd',
    currency_conversion: null,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer,
    customer_account: null,
    customer_creation: subscriptionMode ? 'always' : 'if_required',
    customer_details:
      status === 'complete'
        ? {
            address: { ...EMPTY_ADDRESS, country: 'US', postal_code: '94107' },
            business_name: null,
            email: opts.email ?? 'buyer@example.com',
            individual_name: null,
            name: opts.name === undefined ? 'Jenny Rosen' : opts.name,
            phone: null,
            tax_exempt: 'none',
            tax_ids: [],
          }
        : null,
    customer_email: null,
    discounts: [],
    expires_at: created + DAY,
    integration_identifier: null,
    invoice: opts.invoiceId ?? null,
    invoice_creation: subscriptionMode
      ? null
      : {
          enabled: false,
          invoice_data: {
            account_tax_ids: null,
            custom_fields: null,
            description: null,
            footer: null,
            issuer: null,
            metadata: {},
            rendering_options: null,
          },
        },
    livemode,
    locale: null,
    managed_payments: null,
    metadata: opts.metadata ?? {},
    mode,
    origin_context: null,
    payment_intent: subscriptionMode
      ? null
      : opts.paymentIntentId === undefined
        ? paymentIntentId()
        : opts.paymentIntentId,
    payment_link: null,
    payment_method_collection: subscriptionMode ? 'always' : 'if_required',
    payment_method_configuration_details: { id: paymentMethodConfigurationId(), parent: null },
    payment_method_options: { card: { request_three_d_secure: 'automatic' } },
    payment_method_types: opts.paymentMethodTypes ?? ['card'],
    payment_status: opts.paymentStatus ?? (status === 'complete' ? 'paid' : 'unpaid'),
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: subscriptionMode
      ? null
      : { allow_redisplay_filters: ['always'], payment_method_remove: 'disabled', payment_method_save: null },
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status,
    submit_type: null,
    subscription: subscriptionMode ? (opts.subscriptionId ?? null) : null,
    success_url: 'https://example.com/checkout/success?session_id={CHECKOUT_SESSION_ID}',
    tax_id_collection: { enabled: false, required: 'never' },
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: shape === 'basil' ? 'hosted_page' : 'hosted',
    // Stripe clears the hosted page URL once the session is complete or expired.
    url: status === 'open' ? `https://checkout.stripe.com/c/pay/${id}` : null,
    wallet_options: null,
  };
  return shape === 'legacy' ? { ...session, shipping_details: null } : session;
}
