import {
  CUSTOMER_ERASED_V1,
  LICENSES_EXTENDED_V1,
  LICENSES_REACTIVATED_V1,
  LICENSES_REVOKED_V1,
  LICENSES_SUSPENDED_V1,
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_LICENSED_V1,
  ORDER_REFUNDED_V1,
  PAYMENT_FAILED_V1,
  PAYMENT_RECORDED_V1,
  SUBSCRIPTION_CANCELLED_V1,
  SUBSCRIPTION_CREATED_V1,
  SUBSCRIPTION_UPDATED_V1,
  TIER_CHANGED_V1,
  type TypedEnvelope,
} from '@billing/contracts';
import { bindHandlers, on, type EnvelopeHandler, type Handler } from '@billing/runtime';
import { handleCustomerErased } from './customer-erased.handler';
import type { HandlerDeps } from './deps';
import {
  handleLicensesExtended,
  handleLicensesReactivated,
  handleLicensesRevoked,
  handleLicensesSuspended,
} from './licenses-changed.handler';
import { handleOrderCancelled } from './order-cancelled.handler';
import { handleOrderConfirmed } from './order-confirmed.handler';
import { handleOrderLicensed } from './order-licensed.handler';
import { handleOrderRefunded } from './order-refunded.handler';
import { handlePaymentFailed } from './payment-failed.handler';
import { handlePaymentRecorded } from './payment-recorded.handler';
import { subscriptionChangedHandler } from './subscription-changed.handler';
import { handleTierChanged } from './tier-changed.handler';

/**
 * Handlers by subject (`<type>.v<version>`). Subjects without a handler (e.g.
 * `orders.order.created.v1`) are acknowledged as skipped by the runner.
 */
const HANDLERS: Record<string, EnvelopeHandler<HandlerDeps>> = Object.fromEntries([
  on(ORDER_CONFIRMED_V1, handleOrderConfirmed),
  on(ORDER_LICENSED_V1, handleOrderLicensed),
  on(PAYMENT_RECORDED_V1, handlePaymentRecorded),
  on(PAYMENT_FAILED_V1, handlePaymentFailed),
  on(ORDER_CANCELLED_V1, handleOrderCancelled),
  on(ORDER_REFUNDED_V1, handleOrderRefunded),
  on(CUSTOMER_ERASED_V1, handleCustomerErased),
  on(TIER_CHANGED_V1, handleTierChanged),
  on(SUBSCRIPTION_CREATED_V1, subscriptionChangedHandler('subscription.created')),
  on(SUBSCRIPTION_UPDATED_V1, subscriptionChangedHandler('subscription.updated')),
  on(SUBSCRIPTION_CANCELLED_V1, subscriptionChangedHandler('subscription.cancelled')),
  on(LICENSES_EXTENDED_V1, handleLicensesExtended),
  on(LICENSES_SUSPENDED_V1, handleLicensesSuspended),
  on(LICENSES_REACTIVATED_V1, handleLicensesReactivated),
  on(LICENSES_REVOKED_V1, handleLicensesRevoked),
]);

/** Handlers by subject, bound to their dependencies. */
export function eventHandlers(deps: HandlerDeps): Record<string, Handler<TypedEnvelope<unknown>>> {
  return bindHandlers(HANDLERS, deps);
}
