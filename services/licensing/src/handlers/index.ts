import {
  CUSTOMER_ERASED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_CREATED_V1,
  ORDER_REFUNDED_V1,
  PAYMENT_RECORDED_V1,
  type CustomerErasedV1,
  type OrderConfirmedV1,
  type OrderCreatedV1,
  type OrderRefundedV1,
  type PaymentRecordedV1,
  type StripeEventShape,
  type TypedEnvelope,
} from '@billing/contracts';
import type { Handler } from '@billing/runtime';
import { handleCustomerErased } from './customer-erased.handler';
import type { HandlerDeps } from './deps';
import { handleOrderConfirmed, handleOrderCreated } from './order-confirmed.handler';
import { handleOrderRefunded } from './order-refunded.handler';
import { handlePaymentRecorded } from './payment-recorded.handler';
import { subscriptionHandler } from './subscription-event.handler';

/** Handlers by Stripe event type (`LICENSING_STRIPE_EVENT_TYPES`). */
export function stripeHandlers(deps: HandlerDeps): Record<string, Handler<StripeEventShape>> {
  return {
    'customer.subscription.created': subscriptionHandler('created', deps),
    'customer.subscription.updated': subscriptionHandler('updated', deps),
    'customer.subscription.deleted': subscriptionHandler('deleted', deps),
  };
}

type Envelope = TypedEnvelope<unknown>;

/** Handlers by orders subject; the codec has validated each payload against its definition. */
export function ordersHandlers(deps: HandlerDeps): Record<string, Handler<Envelope>> {
  return {
    [ORDER_CREATED_V1.subject]: (e, ctx) => handleOrderCreated(e as TypedEnvelope<OrderCreatedV1>, ctx, deps),
    [ORDER_CONFIRMED_V1.subject]: (e, ctx) =>
      handleOrderConfirmed(e as TypedEnvelope<OrderConfirmedV1>, ctx, deps),
    [PAYMENT_RECORDED_V1.subject]: (e, ctx) =>
      handlePaymentRecorded(e as TypedEnvelope<PaymentRecordedV1>, ctx, deps),
    [ORDER_REFUNDED_V1.subject]: (e, ctx) =>
      handleOrderRefunded(e as TypedEnvelope<OrderRefundedV1>, ctx, deps),
    [CUSTOMER_ERASED_V1.subject]: (e, ctx) =>
      handleCustomerErased(e as TypedEnvelope<CustomerErasedV1>, ctx, deps),
  };
}

/** Orders events about one order are applied one after another. */
export function orderKeyOf(envelope: Envelope): string | undefined {
  const payload = envelope.payload as { orderId?: unknown; order?: { orderId?: unknown } };
  const id = payload.order?.orderId ?? payload.orderId;
  return typeof id === 'string' ? `order:${id}` : undefined;
}

/** Subscription events of one Stripe customer are applied one after another (they share a tier). */
export function stripeKeyOf(event: StripeEventShape): string | undefined {
  const object = event.data.object as { customer?: unknown; id?: unknown };
  const customer =
    typeof object.customer === 'string' ? object.customer : (object.customer as { id?: unknown })?.id;
  if (typeof customer === 'string') return `customer:${customer}`;
  return typeof object.id === 'string' ? `subscription:${object.id}` : undefined;
}
