/**
 * Consistent sets of Stripe events for the stories our services handle, sharing customer,
 * subscription, invoice, payment intent and charge ids, with `created` increasing along each story so
 * ordering tests can shuffle `ordered` and still know the true order.
 *
 * Every scenario takes `shape: 'basil' | 'legacy'`. `'basil'` renders objects as
 * {@link CURRENT_API_VERSION} (2026-10-28.endive, pinned by stripe-node 23.1.0) does, which includes
 * every move made in 2025-03-31.basil; `'legacy'` renders them as 2025-02-24.acacia, the shape accounts
 * pinned to older versions still receive. Each event's `api_version` says which one it is.
 *
 * Purchases: {@link oneTimePurchase}, {@link asyncPayment}, {@link subscriptionPurchase}.
 * After a payment: {@link fullRefund}, {@link partialRefund}.
 * Subscription lifecycle, each taking the previous step's result: {@link renewal},
 * {@link paymentFailed}, {@link pastDue}, {@link reactivated}, {@link planChange}, {@link cancellation}.
 *
 * @see https://docs.stripe.com/changelog/basil
 * @see https://docs.stripe.com/webhooks/versioning
 */
export { asyncPayment, oneTimePurchase } from './purchase-scenarios';
export type {
  AsyncPayment,
  AsyncPaymentOptions,
  OneTimePurchase,
  OneTimePurchaseOptions,
  PurchaseLine,
} from './purchase-scenarios';
export { fullRefund, partialRefund } from './refund-scenarios';
export type { RefundResult } from './refund-scenarios';
export { renewal, subscriptionPurchase } from './subscription-scenarios';
export type {
  RenewalResult,
  ShapedEvent,
  SubscriptionPurchase,
  SubscriptionPurchaseOptions,
} from './subscription-scenarios';
export { pastDue, paymentFailed, reactivated } from './payment-failure-scenarios';
export type { PastDueResult, PaymentFailedResult, ReactivatedResult } from './payment-failure-scenarios';
export { cancellation, planChange } from './subscription-changes';
export type {
  CancellationOptions,
  CancellationResult,
  PlanChangeOptions,
  PlanChangeResult,
} from './subscription-changes';
export { previousAttributes, rebuild } from './subscription-steps';
export { inOrder } from './scenario-types';
export type { AnyEvent, Of, PaymentState, ScenarioOptions, SubscriptionState } from './scenario-types';
