import {
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_CREATED_V1,
  ORDER_REFUNDED_V1,
  PAYMENT_FAILED_V1,
  PAYMENT_RECORDED_V1,
  type OrderSnapshotV1,
  type PaymentFailureReasonV1,
} from '@billing/contracts';
import type { Outbox } from '@billing/runtime';
import type { Order } from '../db/order.model';
import type { OrderFact } from '../db/order-fact.model';
import type { Payment } from '../db/payment.model';
import type { Refund } from '../db/refund.model';

/** The Stripe event that caused a domain event. */
export interface Cause {
  correlationId: string;
  causationId: string;
}

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
  };
}

/**
 * Publishes the service's domain events through the outbox. Ids are derived from what happened
 * (see libs/contracts/src/orders.events.ts), so handlers emit again on every redelivery: the
 * outbox stores each id once and JetStream drops a republished id, so nothing is lost after a
 * crash and nothing reaches consumers twice.
 */
export class OrderEvents {
  constructor(private readonly outbox: Pick<Outbox, 'emit'>) {}

  async created(order: Order, cause: Cause): Promise<void> {
    await this.outbox.emit([
      {
        definition: ORDER_CREATED_V1,
        input: { id: `orders.order.created:${order.orderId}`, payload: { order: orderSnapshot(order) }, occurredAt: order.createdAt, ...cause },
      },
    ]);
  }

  async confirmed(order: Order, cause: Cause): Promise<void> {
    await this.outbox.emit([
      {
        definition: ORDER_CONFIRMED_V1,
        input: {
          id: `orders.order.confirmed:${order.orderId}`,
          payload: { order: orderSnapshot(order) },
          occurredAt: order.confirmedAt ?? undefined,
          ...cause,
        },
      },
    ]);
  }

  async paymentRecorded(payment: Payment, order: Order, cause: Cause): Promise<void> {
    await this.outbox.emit([
      {
        definition: PAYMENT_RECORDED_V1,
        input: {
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
          },
        },
      },
    ]);
  }

  async paymentFailed(
    fact: OrderFact,
    order: Order,
    payment: { paymentIntentId: string | null; invoiceId: string | null; amount: number; currency: string },
    cause: Cause,
  ): Promise<void> {
    const reason: PaymentFailureReasonV1 = fact.reason ?? { code: null, declineCode: null, message: null, type: null };
    await this.outbox.emit([
      {
        definition: PAYMENT_FAILED_V1,
        input: {
          // Once per PaymentIntent: Stripe reports one failed async checkout payment twice
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
            reason,
            failedAt: fact.at.toISOString(),
          },
        },
      },
    ]);
  }

  async cancelled(fact: OrderFact, order: Order, cause: Cause): Promise<void> {
    await this.outbox.emit([
      {
        definition: ORDER_CANCELLED_V1,
        input: {
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
        },
      },
    ]);
  }

  async refunded(refund: Refund, order: Order, cause: Cause): Promise<void> {
    await this.outbox.emit([
      {
        definition: ORDER_REFUNDED_V1,
        input: {
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
        },
      },
    ]);
  }
}
