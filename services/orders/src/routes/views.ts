import type { CatalogProductWithStock } from '../catalog/catalog-service';
import type { Customer } from '../db/customer.model';
import type { Order } from '../db/order.model';
import type { Payment } from '../db/payment.model';
import type { Refund } from '../db/refund.model';

/** What the API shows of stored records: dates as ISO strings, internal fields left out. */
const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function orderView(order: Order) {
  const { initialPeriodEnd: _initial, revision: _revision, ...rest } = order;
  return {
    ...rest,
    statusAt: iso(order.statusAt),
    currentPeriodEnd: iso(order.currentPeriodEnd),
    createdAt: order.createdAt.toISOString(),
    confirmedAt: iso(order.confirmedAt),
    cancelledAt: iso(order.cancelledAt),
    lastPaymentFailure: order.lastPaymentFailure
      ? { ...order.lastPaymentFailure, failedAt: order.lastPaymentFailure.failedAt.toISOString() }
      : null,
  };
}

export function paymentView(payment: Payment) {
  return { ...payment, periodEnd: iso(payment.periodEnd), paidAt: payment.paidAt.toISOString() };
}

export function refundView(refund: Refund) {
  const { customerEmail: _email, ...rest } = refund;
  return { ...rest, refundedAt: refund.refundedAt.toISOString() };
}

export function customerView(customer: Customer) {
  return { ...customer, createdAt: customer.createdAt.toISOString() };
}

export function productView(product: CatalogProductWithStock) {
  return {
    ...product,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}
