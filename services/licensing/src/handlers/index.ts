import {
  CUSTOMER_ERASED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_CREATED_V1,
  ORDER_REFUNDED_V1,
  PAYMENT_RECORDED_V1,
  type LICENSING_STRIPE_EVENT_TYPES,
  type StripeEventShape,
  type TypedEnvelope,
} from '@billing/contracts';
import { bindHandlers, on, type EnvelopeHandler, type EventHandler, type Handler } from '@billing/runtime';
import { handleCustomerErased } from './customer-erased.handler';
import type { HandlerDeps } from './deps';
import { handleOrderConfirmed, handleOrderCreated } from './order-confirmed.handler';
import { handleOrderRefunded } from './order-refunded.handler';
import { handlePaymentRecorded } from './payment-recorded.handler';
import { subscriptionHandler } from './subscription-event.handler';

/** One handler per Stripe event type the licensing consumer subscribes to. */
const STRIPE_HANDLERS = {
  'customer.subscription.created': subscriptionHandler('created'),
  'customer.subscription.updated': subscriptionHandler('updated'),
  'customer.subscription.deleted': subscriptionHandler('deleted'),
} satisfies Record<
  (typeof LICENSING_STRIPE_EVENT_TYPES)[number],
  EventHandler<StripeEventShape, HandlerDeps>
>;

/** Handlers by orders subject; the codec has validated each payload against its definition. */
const ORDERS_HANDLERS: Record<string, EnvelopeHandler<HandlerDeps>> = Object.fromEntries([
  on(ORDER_CREATED_V1, handleOrderCreated),
  on(ORDER_CONFIRMED_V1, handleOrderConfirmed),
  on(PAYMENT_RECORDED_V1, handlePaymentRecorded),
  on(ORDER_REFUNDED_V1, handleOrderRefunded),
  on(CUSTOMER_ERASED_V1, handleCustomerErased),
]);

/** Handlers by Stripe event type, bound to their dependencies. */
export function stripeHandlers(deps: HandlerDeps): Record<string, Handler<StripeEventShape>> {
  return bindHandlers(STRIPE_HANDLERS, deps);
}

/** Handlers by orders subject, bound to their dependencies. */
export function ordersHandlers(deps: HandlerDeps): Record<string, Handler<Envelope>> {
  return bindHandlers(ORDERS_HANDLERS, deps);
}

type Envelope = TypedEnvelope<unknown>;

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
