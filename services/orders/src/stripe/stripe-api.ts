import type Stripe from 'stripe';
import type { PaymentFailureReasonV1 } from '@billing/contracts';
import { callStripe, PermanentError } from '@billing/runtime';
import { StripeApiError } from '../errors';
import type { StripeScope } from './stripe-event';
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
 * cannot answer; handlers turn that into a retry. `scope` is the event's account: its API key,
 * and for a Connect event the `Stripe-Account` header.
 */
export interface StripeApi {
  /** All line items of a Checkout Session, every page, with price and product expanded. */
  lineItems(sessionId: string, scope: StripeScope): Promise<LineItemWire[]>;
  /** End of the subscription's current period. */
  subscriptionPeriodEnd(subscriptionId: string, scope: StripeScope): Promise<Date | null>;
  invoiceLink(invoiceId: string, scope: StripeScope): Promise<InvoiceLink>;
  /** The invoice a PaymentIntent pays (basil's InvoicePayments), or null for a plain payment. */
  invoiceOfPaymentIntent(paymentIntentId: string, scope: StripeScope): Promise<InvoiceLink | null>;
  refundsOfCharge(chargeId: string, scope: StripeScope): Promise<RefundWire[]>;
  /** The PaymentIntent's `last_payment_error`. */
  paymentFailure(paymentIntentId: string, scope: StripeScope): Promise<PaymentFailureReasonV1>;
}

/** One Stripe API call, as a client span of the event's trace; failures become StripeApiError. */
function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  return callStripe(operation, fn, (err, status) =>
    // An account without a key is not Stripe's failure: it stays permanent.
    err instanceof PermanentError ? err : new StripeApiError(operation, status, { cause: err }),
  );
}

async function collect<T>(list: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of list) out.push(item);
  return out;
}

const PAGE = 100;

/**
 * The port over stripe-node, with a client per account label; objects are read as loose JSON (see
 * stripe-objects.ts). An event of an account without a key here cannot be handled: it is parked
 * as permanent, to be replayed once STRIPE_ACCOUNTS names the account.
 */
export function stripeApi(clients: ReadonlyMap<string, Stripe>): StripeApi {
  const stripeOf = (scope: StripeScope): Stripe => {
    const client = clients.get(scope.account);
    if (!client) {
      throw new PermanentError(
        `no Stripe API key for account "${scope.account}": add it to STRIPE_ACCOUNTS, then replay`,
      );
    }
    return client;
  };
  // Connect: requests about a connected account's objects name it (stripe-node sends Stripe-Account).
  const on = (scope: StripeScope): Stripe.RequestOptions =>
    scope.stripeAccount ? { stripeAccount: scope.stripeAccount } : {};

  const invoiceLink = (invoiceId: string, scope: StripeScope) =>
    call('invoices.retrieve', async () => {
      const invoice = (await stripeOf(scope).invoices.retrieve(
        invoiceId,
        undefined,
        on(scope),
      )) as unknown as InvoiceWire;
      return { invoiceId, subscriptionId: invoiceSubscriptionId(invoice) };
    });

  return {
    lineItems: (sessionId, scope) =>
      call('checkout.sessions.listLineItems', () =>
        collect(
          stripeOf(scope).checkout.sessions.listLineItems(
            sessionId,
            { limit: PAGE, expand: ['data.price.product'] },
            on(scope),
          ),
        ),
      ) as unknown as Promise<LineItemWire[]>,

    subscriptionPeriodEnd: (subscriptionId, scope) =>
      call('subscriptions.retrieve', async () =>
        subscriptionPeriodEnd(
          (await stripeOf(scope).subscriptions.retrieve(
            subscriptionId,
            undefined,
            on(scope),
          )) as unknown as SubscriptionWire,
        ),
      ),

    invoiceLink,

    async invoiceOfPaymentIntent(paymentIntentId, scope) {
      const page = await call('invoicePayments.list', () =>
        stripeOf(scope).invoicePayments.list(
          {
            payment: { type: 'payment_intent', payment_intent: paymentIntentId },
            limit: 10,
            expand: ['data.invoice'],
          },
          on(scope),
        ),
      );
      const first = page.data[0];
      if (!first) return null;
      if (typeof first.invoice === 'object' && first.invoice !== null && 'object' in first.invoice) {
        const invoice = first.invoice as unknown as InvoiceWire;
        return { invoiceId: invoice.id, subscriptionId: invoiceSubscriptionId(invoice) };
      }
      const invoiceId = idOf(first.invoice);
      return invoiceId ? invoiceLink(invoiceId, scope) : null;
    },

    refundsOfCharge: (chargeId, scope) =>
      call('refunds.list', () =>
        collect(stripeOf(scope).refunds.list({ charge: chargeId, limit: PAGE }, on(scope))),
      ) as unknown as Promise<RefundWire[]>,

    paymentFailure: (paymentIntentId, scope) =>
      call('paymentIntents.retrieve', async () =>
        failureReason(
          (await stripeOf(scope).paymentIntents.retrieve(paymentIntentId, undefined, on(scope)))
            .last_payment_error,
        ),
      ),
  };
}
