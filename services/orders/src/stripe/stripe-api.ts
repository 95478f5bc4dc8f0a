import type Stripe from 'stripe';
import type { PaymentFailureReasonV1 } from '@billing/contracts';
import { callStripe } from '@billing/runtime';
import { StripeApiError } from '../errors';
import {
  failureReason,
  idOf,
  invoiceSubscriptionId,
  subscriptionPeriodEnd,
  type InvoiceWire,
  type RefundWire,
  type SubscriptionWire,
} from './stripe-objects';

/** A Checkout line item as `GET /v1/checkout/sessions/:id/line_items` returns it. */
export interface LineItemWire {
  id: string;
  description?: string | null;
  quantity?: number | null;
  amount_total: number;
  currency: string;
  price?: {
    id: string;
    unit_amount?: number | null;
    metadata?: Record<string, string> | null;
    /** An id, or the product when expanded with `data.price.product`. */
    product?: string | { id: string; name?: string; metadata?: Record<string, string> | null } | null;
  } | null;
}

export interface InvoiceLink {
  invoiceId: string;
  subscriptionId: string | null;
}

/**
 * What the orders service asks Stripe's API. Every method throws `StripeApiError` when Stripe
 * cannot answer; handlers turn that into a retry.
 */
export interface StripeApi {
  /** All line items of a Checkout Session, every page, with price and product expanded. */
  lineItems(sessionId: string): Promise<LineItemWire[]>;
  /** End of the subscription's current period. */
  subscriptionPeriodEnd(subscriptionId: string): Promise<Date | null>;
  invoiceLink(invoiceId: string): Promise<InvoiceLink>;
  /** The invoice a PaymentIntent pays (basil's InvoicePayments), or null for a plain payment. */
  invoiceOfPaymentIntent(paymentIntentId: string): Promise<InvoiceLink | null>;
  refundsOfCharge(chargeId: string): Promise<RefundWire[]>;
  /** The PaymentIntent's `last_payment_error`. */
  paymentFailure(paymentIntentId: string): Promise<PaymentFailureReasonV1>;
}

/** One Stripe API call, as a client span of the event's trace; failures become StripeApiError. */
function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  return callStripe(operation, fn, (err, status) => new StripeApiError(operation, status, { cause: err }));
}

async function collect<T>(list: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of list) out.push(item);
  return out;
}

const PAGE = 100;

/** The port over stripe-node; objects are read as loose JSON (see stripe-objects.ts). */
export function stripeApi(stripe: Stripe): StripeApi {
  const invoiceLink = (invoiceId: string) =>
    call('invoices.retrieve', async () => {
      const invoice = (await stripe.invoices.retrieve(invoiceId)) as unknown as InvoiceWire;
      return { invoiceId, subscriptionId: invoiceSubscriptionId(invoice) };
    });

  return {
    lineItems: (sessionId) =>
      call('checkout.sessions.listLineItems', () =>
        collect(
          stripe.checkout.sessions.listLineItems(sessionId, { limit: PAGE, expand: ['data.price.product'] }),
        ),
      ) as unknown as Promise<LineItemWire[]>,

    subscriptionPeriodEnd: (subscriptionId) =>
      call('subscriptions.retrieve', async () =>
        subscriptionPeriodEnd(
          (await stripe.subscriptions.retrieve(subscriptionId)) as unknown as SubscriptionWire,
        ),
      ),

    invoiceLink,

    async invoiceOfPaymentIntent(paymentIntentId) {
      const page = await call('invoicePayments.list', () =>
        stripe.invoicePayments.list({
          payment: { type: 'payment_intent', payment_intent: paymentIntentId },
          limit: 10,
          expand: ['data.invoice'],
        }),
      );
      const first = page.data[0];
      if (!first) return null;
      if (typeof first.invoice === 'object' && first.invoice !== null && 'object' in first.invoice) {
        const invoice = first.invoice as unknown as InvoiceWire;
        return { invoiceId: invoice.id, subscriptionId: invoiceSubscriptionId(invoice) };
      }
      const invoiceId = idOf(first.invoice);
      return invoiceId ? invoiceLink(invoiceId) : null;
    },

    refundsOfCharge: (chargeId) =>
      call('refunds.list', () =>
        collect(stripe.refunds.list({ charge: chargeId, limit: PAGE })),
      ) as unknown as Promise<RefundWire[]>,

    paymentFailure: (paymentIntentId) =>
      call('paymentIntents.retrieve', async () =>
        failureReason((await stripe.paymentIntents.retrieve(paymentIntentId)).last_payment_error),
      ),
  };
}
