/**
 * What each email template receives. Amounts are minor units (cents) with their currency; times
 * are ISO strings (the `money` and `date` helpers format them). Every field is always present
 * (null when unknown) because templates are compiled in strict mode, so a typo in a template
 * fails loudly instead of rendering an empty spot.
 */

/** Added to every template's data as `brand`. */
export interface Brand {
  name: string;
  supportEmail: string;
  accountUrl: string | null;
}

export interface PurchaseConfirmationModel {
  customerName: string | null;
  orderId: string;
  orderDate: string;
  amountSubtotal: number;
  amountTotal: number;
  currency: string;
  lines: Array<{ description: string; quantity: number; amountTotal: number; currency: string }>;
  downloads: Array<{ name: string; url: string }>;
  licenses: Array<{ productName: string; key: string; tier: string | null; expiresAt: string | null }>;
  isSubscription: boolean;
  /** Set when the order has more keys than one email lists: this email's part. */
  part: { number: number; of: number } | null;
}

export interface PaymentReceiptModel {
  orderId: string;
  invoiceId: string | null;
  amount: number;
  currency: string;
  paidAt: string;
  /** The paid period now ends here. */
  periodEnd: string | null;
  receiptUrl: string | null;
}

export interface PaymentFailedModel {
  orderId: string | null;
  amount: number;
  currency: string;
  failedAt: string;
  /** Customer-friendly explanation chosen from the decline code. */
  reason: string;
  /** What the customer should do now. */
  nextSteps: string;
  isSubscription: boolean;
}

export interface SubscriptionConfirmedModel {
  tier: string;
  previousTier: string;
  features: string[];
  /** First paid tier (the previous one was free). */
  isNew: boolean;
  /** False when a one-time purchase (e.g. a lifetime license) changed the tier. */
  isSubscription: boolean;
}

export interface SubscriptionEndedModel {
  previousTier: string;
  tier: string;
  /** False when a one-time license (e.g. refunded) carried the tier. */
  isSubscription: boolean;
}

export interface CancellationConfirmedModel {
  orderId: string;
  subscriptionId: string | null;
  cancelledAt: string;
}

export interface RefundConfirmedModel {
  orderId: string;
  amount: number;
  amountRefunded: number;
  amountCharged: number;
  currency: string;
  full: boolean;
  refundedAt: string;
  /** Product names of the order, when the order is known here. */
  items: string[];
}

export interface TemplateModels {
  'purchase-confirmation': PurchaseConfirmationModel;
  'payment-receipt': PaymentReceiptModel;
  'payment-failed': PaymentFailedModel;
  'subscription-confirmed': SubscriptionConfirmedModel;
  'subscription-ended': SubscriptionEndedModel;
  'cancellation-confirmed': CancellationConfirmedModel;
  'refund-confirmed': RefundConfirmedModel;
}

export type TemplateName = keyof TemplateModels;

export const TEMPLATE_NAMES: readonly TemplateName[] = [
  'purchase-confirmation',
  'payment-receipt',
  'payment-failed',
  'subscription-confirmed',
  'subscription-ended',
  'cancellation-confirmed',
  'refund-confirmed',
];

export function isTemplateName(value: string): value is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(value);
}
