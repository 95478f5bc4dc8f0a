import {
  CUSTOMER_ERASED_V1,
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_CREATED_V1,
  ORDER_REFUNDED_V1,
  PAYMENT_FAILED_V1,
  PAYMENT_RECORDED_V1,
  type OrderSnapshotV1,
} from '@billing/contracts';
import { outboxEvent, type Cause, type EventEmitter, type OutboxEvent } from '@billing/runtime';
import type { CustomerErasureDoc } from '../db/customer-erasure.model';
import type { Order } from '../db/order.model';
import type { OrderFact } from '../db/order-fact.model';
import type { Payment } from '../db/payment.model';
import { accountFieldsOf } from './billing-account';
import type { Refund } from '../db/refund.model';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function orderSnapshot(order: Order): OrderSnapshotV1 {
  return {
    orderId: order.orderId,
    checkoutSessionId: order.checkoutSessionId,
    status: order.status,
    mode: order.mode,
    customerEmail: order.customerEmail,
    customerName: order.customerName,
    stripeCustomerId: order.stripeCustomerId,
    cartId: order.cartId,
    metadata: order.metadata,
    subscriptionId: order.subscriptionId,
    currentPeriodEnd: iso(order.currentPeriodEnd),
    amountSubtotal: order.amountSubtotal,
    amountTotal: order.amountTotal,
    currency: order.currency,
    lines: order.lines,
    createdAt: order.createdAt.toISOString(),
    ...accountFieldsOf(order),
  };
}

/**
 * Builds the service's domain events and publishes them before the Stripe event that caused them
 * is acknowledged. Ids are derived from what happened (see libs/contracts/src/orders.events.ts),
 * so handlers emit again on every redelivery: after a crash or a failed publish the redelivery
 * publishes the same ids, which JetStream drops when they were stored already, so nothing is lost
 * and nothing reaches consumers twice.
 */
export class OrderEvents {
  constructor(private readonly emitter: Pick<EventEmitter, 'emit'>) {}

  /** Publishes the events in the given order. */
  async emit(...events: OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    // The emitter validates each payload against its own definition before publishing it.
    await this.emitter.emit(events);
  }

  created(order: Order, cause: Cause): OutboxEvent {
    return outboxEvent(ORDER_CREATED_V1, {
      id: `orders.order.created:${order.orderId}`,
      occurredAt: order.createdAt,
      ...cause,
      payload: { order: orderSnapshot(order) },
    });
  }

  confirmed(order: Order, cause: Cause): OutboxEvent {
    return outboxEvent(ORDER_CONFIRMED_V1, {
      id: `orders.order.confirmed:${order.orderId}`,
      occurredAt: order.confirmedAt ?? undefined,
      ...cause,
      payload: { order: orderSnapshot(order) },
    });
  }

  paymentRecorded(payment: Payment, order: Order, cause: Cause): OutboxEvent {
    return outboxEvent(PAYMENT_RECORDED_V1, {
      id: `orders.payment.recorded:${payment.paymentId}`,
      occurredAt: payment.paidAt,
      ...cause,
      payload: {
        paymentId: payment.paymentId,
        orderId: order.orderId,
        customerEmail: order.customerEmail,
        source: payment.source,
        invoiceId: payment.invoiceId,
        paymentIntentId: payment.paymentIntentId,
        subscriptionId: payment.subscriptionId,
        billingReason: payment.billingReason,
        amount: payment.amount,
        currency: payment.currency,
        periodEnd: iso(payment.periodEnd),
        receiptUrl: payment.receiptUrl,
        paidAt: payment.paidAt.toISOString(),
        ...accountFieldsOf(order),
      },
    });
  }

  paymentFailed(
    fact: OrderFact,
    order: Order,
    payment: { paymentIntentId: string | null; invoiceId: string | null; amount: number; currency: string },
    cause: Cause,
  ): OutboxEvent {
    return outboxEvent(PAYMENT_FAILED_V1, {
      // Once per PaymentIntent: Stripe reports one failed delayed checkout payment twice
      // (payment_intent.payment_failed and checkout.session.async_payment_failed).
      id: `orders.payment.failed:${payment.paymentIntentId ?? order.checkoutSessionId}`,
      occurredAt: fact.at,
      ...cause,
      payload: {
        orderId: order.orderId,
        customerEmail: order.customerEmail,
        paymentIntentId: payment.paymentIntentId,
        invoiceId: payment.invoiceId,
        subscriptionId: order.subscriptionId,
        amount: payment.amount,
        currency: payment.currency,
        reason: fact.reason ?? { code: null, declineCode: null, message: null, type: null },
        failedAt: fact.at.toISOString(),
      },
    });
  }

  cancelled(fact: OrderFact, order: Order, cause: Cause): OutboxEvent {
    return outboxEvent(ORDER_CANCELLED_V1, {
      id: `orders.order.cancelled:${order.orderId}`,
      occurredAt: fact.at,
      ...cause,
      payload: {
        orderId: order.orderId,
        customerEmail: order.customerEmail,
        subscriptionId: order.subscriptionId,
        cancelledAt: fact.at.toISOString(),
        reason: fact.cancellationReason,
      },
    });
  }

  /** An operator's erasure; the other services erase what they hold for `email`. */
  customerErased(erasure: CustomerErasureDoc, email: string, cause: Cause): OutboxEvent {
    return outboxEvent(CUSTOMER_ERASED_V1, {
      id: `orders.customer.erased:${erasure._id}`,
      occurredAt: erasure.erasedAt,
      ...cause,
      payload: { email, erasedAt: erasure.erasedAt.toISOString(), placeholder: erasure.placeholder },
    });
  }

  refunded(refund: Refund, order: Order, cause: Cause): OutboxEvent {
    return outboxEvent(ORDER_REFUNDED_V1, {
      id: `orders.order.refunded:${refund.refundId}`,
      occurredAt: refund.refundedAt,
      ...cause,
      payload: {
        orderId: order.orderId,
        customerEmail: order.customerEmail,
        chargeId: refund.chargeId,
        refundId: refund.refundId,
        paymentIntentId: refund.paymentIntentId,
        amount: refund.amount,
        amountRefunded: refund.amountRefunded,
        amountCharged: refund.amountCharged,
        currency: refund.currency,
        full: refund.full,
        refundedAt: refund.refundedAt.toISOString(),
      },
    });
  }
}
