/**
 * Invoices as 2025-02-24.acacia and earlier render them, derived from the current shape.
 *
 * What basil moved, put back: top-level `subscription`, `subscription_details`, `quote`,
 * `payment_intent`, `charge`, `paid`, `paid_out_of_band`, `discount`, `tax`, `total_tax_amounts`,
 * `application_fee_amount` and `transfer_data`; on each line `price`, `plan`, `type`,
 * `subscription_item`, `proration`, `proration_details`, `tax_amounts`, `tax_rates` and the
 * `*_excluding_tax` amounts. What basil added is taken out: `parent`, `pricing`, `taxes`, `total_taxes`,
 * `amount_overpaid`, `payments`, `quantity_decimal`.
 *
 * @see https://docs.stripe.com/changelog/basil/2025-03-31/adds-new-parent-field-to-invoicing-objects
 * @see https://docs.stripe.com/api/invoices/object?api-version=2025-02-24.acacia
 */
import { legacyPlan, legacyPrice, planFromPrice } from './catalog';
import { omit } from './shape';
import type { Invoice, InvoiceLineItem, List, Plan, Price } from './shape';

export type LegacyInvoiceLineItem = Omit<
  InvoiceLineItem,
  'parent' | 'pricing' | 'taxes' | 'quantity_decimal'
> & {
  amount_excluding_tax: number;
  plan: Plan & { aggregate_usage: null };
  price: ReturnType<typeof legacyPrice>;
  proration: boolean;
  proration_details: { credited_items: null };
  subscription_item: string | null;
  tax_amounts: [];
  tax_rates: [];
  type: 'subscription';
  unit_amount_excluding_tax: string | null;
};

export type LegacyInvoice = Omit<
  Invoice,
  'parent' | 'payments' | 'total_taxes' | 'amount_overpaid' | 'lines'
> & {
  application_fee_amount: null;
  charge: string | null;
  discount: null;
  lines: List<LegacyInvoiceLineItem>;
  paid: boolean;
  paid_out_of_band: boolean;
  payment_intent: string | null;
  quote: null;
  subscription: string | null;
  subscription_details: { metadata: Record<string, string> | null } | null;
  tax: number | null;
  total_tax_amounts: [];
  transfer_data: null;
};

/** Re-renders a basil-shaped subscription invoice the way acacia and earlier send it. */
export function toLegacyInvoice(
  inv: Invoice,
  linePrice: Price,
  links: { paymentIntentId: string | null; chargeId: string | null },
): LegacyInvoice {
  const { parent, lines } = inv;
  const rest = omit(inv, ['parent', 'payments', 'total_taxes', 'amount_overpaid', 'lines']);
  const subscriptionId = parent?.subscription_details?.subscription;
  const legacyLines = lines.data.map((line): LegacyInvoiceLineItem => {
    const details = line.parent?.subscription_item_details;
    return {
      ...omit(line, ['parent', 'pricing', 'taxes', 'quantity_decimal']),
      amount_excluding_tax: line.amount,
      plan: legacyPlan(planFromPrice(linePrice)),
      price: legacyPrice(linePrice),
      proration: details?.proration ?? false,
      proration_details: { credited_items: null },
      subscription_item: details?.subscription_item ?? null,
      tax_amounts: [],
      tax_rates: [],
      type: 'subscription',
      unit_amount_excluding_tax: linePrice.unit_amount_decimal,
    };
  });
  return {
    ...rest,
    application_fee_amount: null,
    charge: links.chargeId,
    discount: null,
    lines: { ...lines, data: legacyLines },
    paid: inv.status === 'paid',
    paid_out_of_band: false,
    payment_intent: links.paymentIntentId,
    quote: null,
    subscription: typeof subscriptionId === 'string' ? subscriptionId : (subscriptionId?.id ?? null),
    subscription_details: parent?.subscription_details
      ? { metadata: parent.subscription_details.metadata }
      : null,
    tax: null,
    total_tax_amounts: [],
    transfer_data: null,
  };
}
