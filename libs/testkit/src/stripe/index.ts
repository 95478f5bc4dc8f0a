/**
 * Stripe fixtures for tests: ids, event envelopes, whole objects and event scenarios.
 *
 * Objects come in two shapes. `'basil'` is what {@link CURRENT_API_VERSION} (2026-10-28.endive, the
 * version stripe-node 23.1.0 pins) sends, with every field move of 2025-03-31.basil: the invoice's
 * subscription under `parent.subscription_details`, line items with `parent` and `pricing`, billing
 * periods on subscription items, no `invoice` on charges and payment intents. `'legacy'` is what
 * {@link LEGACY_API_VERSION} (2025-02-24.acacia) and earlier send. See ./shape for the details.
 *
 * @see https://docs.stripe.com/changelog/basil
 * @see https://docs.stripe.com/changelog
 */
export * from './shape';
export * from './ids';
export * from './events';
export * from './catalog';
export * from './checkout';
export * from './subscription';
export * from './invoice';
export * from './invoice-payment';
export * from './legacy-invoice';
export * from './payment-intent';
export * from './charge';
export * from './scenarios';
