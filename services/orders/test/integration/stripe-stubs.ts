import { stripeFixtures as sf, type FakeStripe } from '@billing/testkit';

type AnyScenario = {
  session?: { id: string };
  lineItems?: { data: Array<{ id: string }> };
  products?: Array<{ id: string; object: string }>;
  product?: { id: string; object: string };
  subscription?: { id: string; object: string };
  invoice?: { id: string; object: string };
  paymentIntent?: { id: string; object: string };
  openInvoice?: { id: string; object: string };
  refund?: { id: string; object: string };
};

/**
 * Puts into the fake Stripe API everything a scenario step's events make the service ask for:
 * the session's line items and products, the subscription, invoices with the InvoicePayment that
 * links each to its PaymentIntent (basil), and refunds.
 */
export function stubStripe(fake: FakeStripe, step: AnyScenario): void {
  const put = (o: unknown) => fake.put(o as { id: string; object: string });
  if (step.session && step.lineItems) fake.setLineItems(step.session.id, step.lineItems.data);
  for (const product of step.products ?? []) put(product);
  if (step.product) put(step.product);
  if (step.subscription) put(step.subscription);
  if (step.paymentIntent) put(step.paymentIntent);
  if (step.refund) put(step.refund);
  // Since basil an invoice names no PaymentIntent: Stripe's InvoicePayments link the two. A
  // failed renewal's step carries the open invoice (and still the previous step's paid one).
  const invoice = step.openInvoice ?? step.invoice;
  const paymentIntentId = step.openInvoice
    ? (step as { openPaymentIntentId?: string }).openPaymentIntentId
    : step.paymentIntent?.id;
  if (invoice) {
    put(invoice);
    if (paymentIntentId) {
      const inv = invoice as unknown as {
        amount_due: number;
        currency: string;
        created: number;
        livemode: boolean;
      };
      put(
        sf.invoicePayment({
          invoiceId: invoice.id,
          paymentIntentId,
          amount: inv.amount_due,
          currency: inv.currency,
          created: inv.created + 1,
          livemode: inv.livemode,
        }),
      );
    }
  }
}
