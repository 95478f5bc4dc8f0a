import type { StripeEventShape } from '@billing/contracts';
import { causeOf, done, retry, skipped, type HandlerContext, type Outcome } from '@billing/runtime';
import {
  dateFromUnix,
  invoicePaymentIntentId,
  invoicePeriodEnd,
  invoiceSubscriptionId,
  type InvoiceWire,
} from '../stripe/stripe-objects';
import { eventTime, objectOf } from '../stripe/stripe-event';
import { accountFieldsOf } from '../domain/billing-account';
import type { OrdersHandlerDeps } from './deps';

/**
 * `invoice.paid`: records a subscription payment against the subscription's order, once per
 * invoice, with the billing reason and the end of the period it paid for (licensing extends
 * licenses from the resulting `orders.payment.recorded`).
 */
export async function handleInvoicePaid(
  event: StripeEventShape,
  deps: OrdersHandlerDeps,
  ctx: HandlerContext,
): Promise<Outcome> {
  const invoice = objectOf<InvoiceWire>(event);
  const subscriptionId = invoiceSubscriptionId(invoice);
  if (!subscriptionId)
    return skipped('invoice of no subscription: its payment is recorded from the payment intent');
  const order = await deps.orders.bySubscription(subscriptionId);
  if (!order) return retry(`no order for subscription ${subscriptionId} yet`);
  const { payment } = await deps.ledger.addPayment({
    paymentId: invoice.id,
    orderId: order.orderId,
    ...accountFieldsOf(order),
    customerEmail: order.customerEmail,
    source: 'invoice',
    invoiceId: invoice.id,
    paymentIntentId: invoicePaymentIntentId(invoice),
    subscriptionId,
    billingReason: invoice.billing_reason ?? null,
    amount: invoice.amount_paid ?? 0,
    currency: invoice.currency ?? order.currency,
    periodEnd: invoicePeriodEnd(invoice),
    receiptUrl: invoice.hosted_invoice_url ?? null,
    paidAt: dateFromUnix(invoice.status_transitions?.paid_at) ?? eventTime(event),
    eventId: event.id,
  });
  const current = await deps.book.refresh(order.orderId, order);
  await deps.events.emit(deps.events.paymentRecorded(payment, current, causeOf(ctx)));
  ctx.logger.info(
    { orderId: order.orderId, invoiceId: invoice.id, billingReason: payment.billingReason },
    'invoice payment recorded',
  );
  return done();
}
