/**
 * The orders database after K past checkouts, as services/orders writes it for a paid one-time
 * Checkout (handlers checkout-completed + confirm-order + payment-intent-succeeded):
 *
 * - `customers`: one per email: `_id` (email), `name`, `stripeCustomerIds` (every Stripe customer
 *   of the email), `createdAt` (its first session).
 * - `orders`: `_id` (orderIdFor(session)), `checkoutSessionId`, `mode`, `livemode`,
 *   `customerEmail`, `customerName`, `stripeCustomerId`, `cartId`, `metadata`, `subscriptionId`,
 *   `paymentIntentId`, `amountSubtotal`, `amountTotal`, `currency`, `lines` (toOrderLine),
 *   `initialPeriodEnd`, `createdAt`, plus the derived state from deriveOrderState (`status`,
 *   `statusAt`, `paymentStatus`, `confirmedAt`, `cancelledAt`, `cancellationReason`, `amountPaid`,
 *   `amountRefunded`, `currentPeriodEnd`, `lastPaymentFailure`, `oversold`).
 * - `order_links`: `_id` (`pi:<paymentIntentId>`), `orderId`.
 * - `order_facts`: `_id` (`confirmed:<orderId>`), `orderId`, `kind`, `at`, `eventId`, `reason`,
 *   `paymentIntentId`, `cancellationReason`.
 * - `payments`: `_id` (PaymentIntent id), `orderId`, `customerEmail`, `source`, `invoiceId`,
 *   `paymentIntentId`, `subscriptionId`, `billingReason`, `amount`, `currency`, `periodEnd`,
 *   `receiptUrl`, `paidAt`, `eventId`.
 *
 * Not written: `catalog_products` (the service seeds it at start), `stock_movements` (a digital
 * product takes no stock), `refunds`, `parked_messages`, `outbox` (the service publishes a
 * handler's events directly; an outbox row only lives until its event is published).
 */
import type { OrderLineV1 } from '@billing/contracts';
import { stripeFixtures as sf } from '@billing/testkit';
import type { CatalogEntry } from '@billing/orders/dist/catalog/catalog-match';
import { lineKeys, toOrderLine } from '@billing/orders/dist/catalog/catalog-match';
import { customerModel, type CustomerDoc } from '@billing/orders/dist/db/customer.model';
import { registerModels } from '@billing/orders/dist/db/models';
import { orderFactModel, type OrderFactDoc } from '@billing/orders/dist/db/order-fact.model';
import { orderLinkModel, type OrderLinkDoc } from '@billing/orders/dist/db/order-link.model';
import { orderModel, type Order, type OrderDoc } from '@billing/orders/dist/db/order.model';
import { paymentModel, type Payment, type PaymentDoc } from '@billing/orders/dist/db/payment.model';
import { orderIdFor } from '@billing/orders/dist/domain/order-id';
import { deriveOrderState } from '@billing/orders/dist/domain/order-state';
import { chunks, insertBatches, openServiceDb, type HistoryTarget, type PastCheckout } from './history';
import { BENCH_PRODUCT } from './load';

/** The catalog entry the seed file creates (see system-target.ts). */
export const BENCH_CATALOG_ENTRY: CatalogEntry = {
  sku: BENCH_PRODUCT.sku,
  name: BENCH_PRODUCT.name,
  kind: BENCH_PRODUCT.kind,
  tier: BENCH_PRODUCT.tier,
  downloadUrl: BENCH_PRODUCT.downloadUrl,
  stripePriceIds: [BENCH_PRODUCT.priceId],
  stripeProductIds: [],
  active: true,
};

/** The order line every checkout has, mapped exactly as the service maps a line item. */
export function benchLine(): OrderLineV1 {
  const price = sf.price({
    id: BENCH_PRODUCT.priceId,
    productId: BENCH_PRODUCT.productId,
    unitAmount: BENCH_PRODUCT.unitAmount,
    recurring: null,
    metadata: { sku: BENCH_PRODUCT.sku, tier: BENCH_PRODUCT.tier },
  });
  const item = sf.lineItem({ price, description: BENCH_PRODUCT.name });
  return toOrderLine(item, lineKeys(item), BENCH_CATALOG_ENTRY);
}

/** The order a past checkout left behind, confirmed and paid. */
export function pastOrder(c: PastCheckout, line: OrderLineV1): Order {
  const orderId = orderIdFor(c.sessionId);
  const amount = line.amountTotal;
  return {
    orderId,
    checkoutSessionId: c.sessionId,
    mode: 'payment',
    livemode: false,
    customerEmail: c.email,
    customerName: c.customerName,
    stripeCustomerId: c.stripeCustomerId,
    cartId: null,
    metadata: {},
    subscriptionId: null,
    paymentIntentId: c.paymentIntentId,
    amountSubtotal: amount,
    amountTotal: amount,
    currency: line.currency,
    lines: [{ ...line, lineId: c.lineItemId }],
    initialPeriodEnd: null,
    createdAt: c.sessionCreated,
    // Created, then its state written once by each of its two Stripe events.
    revision: 2,
    ...deriveOrderState({
      initialPeriodEnd: null,
      facts: [{ key: `confirmed:${orderId}`, kind: 'confirmed', at: c.completedAt }],
      payments: [{ paymentId: c.paymentIntentId, amount, paidAt: c.paidAt, periodEnd: null }],
      refunds: [],
      allocations: [],
    }),
  };
}

export function pastPayment(c: PastCheckout, order: Order): Payment {
  return {
    paymentId: c.paymentIntentId,
    orderId: order.orderId,
    customerEmail: order.customerEmail,
    source: 'payment_intent',
    invoiceId: null,
    paymentIntentId: c.paymentIntentId,
    subscriptionId: null,
    billingReason: null,
    amount: order.amountTotal,
    currency: order.currency,
    periodEnd: null,
    receiptUrl: null,
    paidAt: c.paidAt,
    eventId: c.paymentIntentEventId,
  };
}

function customersOf(checkouts: readonly PastCheckout[]): CustomerDoc[] {
  const byEmail = new Map<string, CustomerDoc>();
  for (const c of checkouts) {
    const known = byEmail.get(c.email);
    if (known) known.stripeCustomerIds.push(c.stripeCustomerId);
    else
      byEmail.set(c.email, {
        _id: c.email,
        name: c.customerName,
        stripeCustomerIds: [c.stripeCustomerId],
        createdAt: c.sessionCreated,
      });
  }
  return [...byEmail.values()];
}

export async function loadOrdersHistory(
  checkouts: readonly PastCheckout[],
  target: HistoryTarget,
): Promise<Record<string, number>> {
  const db = await openServiceDb(target.mongoUrl, target.databases.orders, registerModels);
  const line = benchLine();
  const written: Record<string, number> = { 'orders.customers': 0 };
  const count = (name: string, n: number) =>
    (written[`orders.${name}`] = (written[`orders.${name}`] ?? 0) + n);
  try {
    count('customers', await insertBatches(customerModel(db), customersOf(checkouts)));
    for (const chunk of chunks(checkouts, 1000)) {
      const orders: OrderDoc[] = [];
      const links: OrderLinkDoc[] = [];
      const facts: OrderFactDoc[] = [];
      const payments: PaymentDoc[] = [];
      for (const c of chunk) {
        const order = pastOrder(c, line);
        const payment = pastPayment(c, order);
        const { orderId, ...orderFields } = order;
        const { paymentId, ...paymentFields } = payment;
        orders.push({ _id: orderId, ...orderFields });
        links.push({ _id: `pi:${c.paymentIntentId}`, orderId });
        facts.push({
          _id: `confirmed:${orderId}`,
          orderId,
          kind: 'confirmed',
          at: c.completedAt,
          eventId: c.checkoutEventId,
          reason: null,
          paymentIntentId: null,
          cancellationReason: null,
        });
        payments.push({ _id: paymentId, ...paymentFields });
      }
      count('orders', await insertBatches(orderModel(db), orders));
      count('order_links', await insertBatches(orderLinkModel(db), links));
      count('order_facts', await insertBatches(orderFactModel(db), facts));
      count('payments', await insertBatches(paymentModel(db), payments));
    }
    return written;
  } finally {
    await db.close();
  }
}
