import { ORDER_CONFIRMED_V1, type OrderRefundedV1, type OrderSnapshotV1 } from '@billing/contracts';
import { orderLine, orderSnapshot, stripeFixtures as fx } from '@billing/testkit';
import type { LicensingContext } from './harness';

/** Products of the one-time tests: two e-book seats, a one-year course. */
export const PRODUCTS = '{"EBOOK-1":{"seats":2},"COURSE-1Y":{"durationDays":365}}';

export const DAY_MS = 24 * 60 * 60 * 1000;
export type Purchase = ReturnType<typeof fx.oneTimePurchase<'basil'>>;

/** A one-time checkout: two e-book seats, a one-year course and a mug (physical: no license). */
export function purchase(email: string): { purchase: Purchase; order: OrderSnapshotV1 } {
  const p = fx.oneTimePurchase({
    email,
    lines: [
      { productName: 'E-book', quantity: 2, metadata: { sku: 'EBOOK-1' } },
      { productName: 'Course', metadata: { sku: 'COURSE-1Y' } },
      { productName: 'Mug', metadata: { sku: 'MUG' } },
    ],
  });
  const [ebook, course, mug] = p.lineItems.data;
  const order = orderSnapshot({
    orderId: `ord_${p.session.id}`,
    checkoutSessionId: p.session.id,
    customerEmail: email,
    stripeCustomerId: p.customerId,
    mode: 'payment',
    lines: [orderLine(ebook!, 'digital'), orderLine(course!, 'digital'), orderLine(mug!, 'physical')],
  });
  return { purchase: p, order };
}

export function refundOf(
  p: ReturnType<typeof fx.fullRefund<'basil'>>,
  order: OrderSnapshotV1,
): OrderRefundedV1 {
  return {
    orderId: order.orderId,
    customerEmail: order.customerEmail,
    chargeId: p.charge.id,
    refundId: p.refund.id,
    paymentIntentId: p.paymentIntent.id,
    amount: p.refund.amount,
    amountRefunded: p.charge.amount_refunded,
    amountCharged: p.charge.amount,
    currency: p.charge.currency,
    full: p.charge.amount_refunded >= p.charge.amount,
    refundedAt: new Date(p.refund.created * 1000).toISOString(),
  };
}

export type Licensed = {
  licenses: Array<{
    key: string;
    licenseId: string;
    productSku: string;
    expiresAt: string | null;
    status: string;
  }>;
};

export async function issue(h: LicensingContext, order: OrderSnapshotV1): Promise<Licensed['licenses']> {
  await h.publishEnvelope(ORDER_CONFIRMED_V1, {
    id: `orders.order.confirmed:${order.orderId}`,
    payload: { order },
  });
  return ((await h.events.waitFor(`licensing.order.licensed:${order.orderId}`)).payload as Licensed).licenses;
}

export const ebook = (licenses: Licensed['licenses']) => licenses.find((l) => l.productSku === 'EBOOK-1')!;
