/**
 * Pure readers of the Stripe objects the orders service receives, in both payload shapes:
 * current ("basil", 2025-03-31 and later) and legacy (2025-02-24.acacia and earlier).
 * Events are read as loose JSON because one deployment receives both shapes at once.
 *
 * @see https://docs.stripe.com/changelog/basil
 */
import type { PaymentFailureReasonV1 } from '@billing/contracts';

type Expandable = string | { id: string } | null | undefined;

/** The id of an expandable field, whether Stripe sent the id or the expanded object. */
export function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string') {
    return (value as { id: string }).id;
  }
  return null;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const seconds = (value: number | null | undefined): Date | null =>
  typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000) : null;
export { seconds as dateFromUnix };

export interface CheckoutSessionWire {
  id: string;
  object: 'checkout.session';
  mode: 'payment' | 'subscription' | 'setup';
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  created?: number;
  livemode?: boolean;
  customer?: Expandable;
  customer_details?: { email?: string | null; name?: string | null } | null;
  customer_email?: string | null;
  client_reference_id?: string | null;
  metadata?: Record<string, string> | null;
  subscription?: Expandable;
  payment_intent?: Expandable;
  amount_subtotal?: number | null;
  amount_total?: number | null;
  currency?: string | null;
}

/** `customer_details.email`, else `customer_email`; null when the session names neither. */
export function sessionEmail(session: CheckoutSessionWire): string | null {
  const email = session.customer_details?.email ?? session.customer_email ?? null;
  return email && email.trim() ? normalizeEmail(email) : null;
}

/** Stripe marks a session paid at completion, or `no_payment_required` (e.g. a 100% coupon). */
export function isSessionPaid(session: Pick<CheckoutSessionWire, 'payment_status'>): boolean {
  return session.payment_status === 'paid' || session.payment_status === 'no_payment_required';
}

export interface InvoiceWire {
  id: string;
  object: 'invoice';
  created?: number;
  customer?: Expandable;
  customer_email?: string | null;
  billing_reason?: string | null;
  amount_paid?: number;
  currency?: string;
  hosted_invoice_url?: string | null;
  status_transitions?: { paid_at?: number | null } | null;
  /** Basil and later. */
  parent?: { subscription_details?: { subscription?: Expandable } | null } | null;
  /** Basil: only when fetched with `expand[]=payments`. */
  payments?: { data?: Array<{ payment?: { payment_intent?: Expandable } }> };
  /** Legacy. */
  subscription?: Expandable;
  payment_intent?: Expandable;
  lines?: {
    data?: Array<{
      period?: { end?: number; start?: number };
      type?: string;
      subscription?: Expandable;
      parent?: { subscription_item_details?: unknown; type?: string } | null;
    }>;
  };
}

/** Basil: `parent.subscription_details.subscription`; legacy: top-level `subscription`. */
export function invoiceSubscriptionId(invoice: InvoiceWire): string | null {
  return idOf(invoice.parent?.subscription_details?.subscription) ?? idOf(invoice.subscription);
}

/** Legacy: `payment_intent`; basil: the first InvoicePayment when the invoice was expanded. */
export function invoicePaymentIntentId(invoice: InvoiceWire): string | null {
  const legacy = idOf(invoice.payment_intent);
  if (legacy) return legacy;
  for (const payment of invoice.payments?.data ?? []) {
    const id = idOf(payment.payment?.payment_intent);
    if (id) return id;
  }
  return null;
}

/**
 * The end of the service period the invoice paid for: the latest `period.end` of its subscription
 * lines (basil `parent.subscription_item_details`, legacy `type: 'subscription'`), else of any line.
 * The invoice's own `period_end` means something else (the period that just ended) and is not used.
 */
export function invoicePeriodEnd(invoice: InvoiceWire): Date | null {
  const lines = invoice.lines?.data ?? [];
  const subscriptionLines = lines.filter(
    (l) =>
      l.parent?.type === 'subscription_item_details' || l.type === 'subscription' || idOf(l.subscription),
  );
  const ends = (subscriptionLines.length > 0 ? subscriptionLines : lines)
    .map((l) => l.period?.end)
    .filter((end): end is number => typeof end === 'number');
  return ends.length > 0 ? seconds(Math.max(...ends)) : null;
}

export interface SubscriptionWire {
  id: string;
  object: 'subscription';
  status?: string;
  customer?: Expandable;
  canceled_at?: number | null;
  ended_at?: number | null;
  cancellation_details?: { reason?: string | null } | null;
  /** Legacy (before basil) top-level period. */
  current_period_end?: number;
  items?: { data?: Array<{ current_period_end?: number }> };
}

/** Basil keeps the period on each item; legacy shapes also at the top level. The latest wins. */
export function subscriptionPeriodEnd(subscription: SubscriptionWire): Date | null {
  const ends = (subscription.items?.data ?? [])
    .map((item) => item.current_period_end)
    .filter((end): end is number => typeof end === 'number');
  if (ends.length > 0) return seconds(Math.max(...ends));
  return seconds(subscription.current_period_end);
}

export interface LastPaymentErrorWire {
  code?: string | null;
  decline_code?: string | null;
  message?: string | null;
  type?: string | null;
}

export interface PaymentIntentWire {
  id: string;
  object: 'payment_intent';
  amount?: number;
  amount_received?: number;
  currency?: string;
  customer?: Expandable;
  created?: number;
  last_payment_error?: LastPaymentErrorWire | null;
  /** Legacy only: the invoice this payment pays. */
  invoice?: Expandable;
}

export function failureReason(error: LastPaymentErrorWire | null | undefined): PaymentFailureReasonV1 {
  return {
    code: error?.code ?? null,
    declineCode: error?.decline_code ?? null,
    message: error?.message ?? null,
    type: error?.type ?? null,
  };
}

export interface RefundWire {
  id: string;
  amount: number;
  created: number;
  status?: string | null;
  charge?: Expandable;
}

export interface ChargeWire {
  id: string;
  object: 'charge';
  amount: number;
  amount_refunded: number;
  refunded?: boolean;
  currency: string;
  created?: number;
  customer?: Expandable;
  payment_intent?: Expandable;
  receipt_url?: string | null;
  /** Legacy only. */
  invoice?: Expandable;
  /** Only in payloads of API versions before 2022-11-15, or when expanded. */
  refunds?: { data?: RefundWire[] } | null;
}

/** One refund with what it means for its charge. */
export interface RefundOnCharge {
  refundId: string;
  amount: number;
  /** Refunded on the charge up to and including this refund. */
  amountRefunded: number;
  full: boolean;
  refundedAt: Date;
}

/**
 * The refunds a `charge.refunded` snapshot covers: live refunds (not failed or canceled) in the
 * order Stripe made them, up to the snapshot's `amount_refunded`. Each refund's cumulative amount
 * says whether it completed the refund of the charge, whichever event records it first.
 * Returns null when Stripe's list does not yet add up to the snapshot (ask again later).
 */
export function refundsCoveredBy(
  charge: ChargeWire,
  refunds: readonly RefundWire[],
): RefundOnCharge[] | null {
  const live = refunds
    .filter((r) => r.status !== 'failed' && r.status !== 'canceled')
    .sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
  const covered: RefundOnCharge[] = [];
  let total = 0;
  for (const refund of live) {
    if (total + refund.amount > charge.amount_refunded) break;
    total += refund.amount;
    covered.push({
      refundId: refund.id,
      amount: refund.amount,
      amountRefunded: total,
      full: total >= charge.amount,
      refundedAt: new Date(refund.created * 1000),
    });
  }
  return total === charge.amount_refunded ? covered : null;
}
