import type { FakeStripe } from './fake-stripe';
import * as sf from './stripe';

/** The parts of a fixture scenario step that the services may ask Stripe's API about. */
export type StubbableStep = {
  session?: { id: string };
  lineItems?: { data: Array<{ id: string } & Record<string, unknown>> };
  products?: ReadonlyArray<{ id: string; object: string }>;
  product?: { id: string; object: string };
  subscription?: { id: string; object: string };
  invoice?: { id: string; object: string };
  paymentIntent?: { id: string; object: string };
  openInvoice?: { id: string; object: string };
  openPaymentIntentId?: string;
  refund?: { id: string; object: string };
};

/**
 * Puts into the fake Stripe API everything a scenario step's events make the services ask for:
 * the session's line items and products, the subscription, invoices with the InvoicePayment that
 * links each to its PaymentIntent (basil), and refunds.
 */
export function stubStripe(fake: FakeStripe, step: StubbableStep): void {
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
  const paymentIntentId = step.openInvoice ? step.openPaymentIntentId : step.paymentIntent?.id;
  if (invoice && paymentIntentId) {
    put(invoice);
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
  } else if (invoice) {
    put(invoice);
  }
}
