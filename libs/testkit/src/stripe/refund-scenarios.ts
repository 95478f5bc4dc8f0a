/**
 * Refunds of a payment from an earlier scenario (a one-time purchase, a subscription purchase or a
 * renewal): `refund.created`, then `charge.refunded` with the charge's new `amount_refunded`.
 *
 * The refund looks the same in both shapes; the charge is rendered in the scenario's shape (a legacy
 * charge still names its invoice). Webhook bodies never embed `charge.refunds` (2022-11-15), so
 * `previous_attributes` only shows `amount_refunded` and `refunded`.
 *
 * @see https://docs.stripe.com/refunds
 * @see https://docs.stripe.com/changelog/2022-11-15/deprecates-charges-auto-expand
 */
import { refund as buildRefund } from './charge';
import { makeEvent } from './events';
import type { StripeEventPayload } from './events';
import { apiVersionFor } from './shape';
import type { PayloadShape, Refund } from './shape';
import { inOrder } from './scenario-types';
import type { AnyEvent, Of, PaymentState } from './scenario-types';

export interface RefundResult<S extends PayloadShape> extends PaymentState<S> {
  refund: Refund;
  events: {
    chargeRefunded: StripeEventPayload<Of<S, 'charge'>, 'charge.refunded'>;
    refundCreated: StripeEventPayload<Refund, 'refund.created'>;
  };
  ordered: AnyEvent[];
}

/** Refunds what is left of the payment's charge. */
export function fullRefund<S extends PayloadShape>(state: PaymentState<S>): RefundResult<S> {
  return refundScenario(state, state.charge.amount - state.charge.amount_refunded);
}

/** Refunds `amount` (default half of the charge); call again on the result to refund more. */
export function partialRefund<S extends PayloadShape>(
  state: PaymentState<S>,
  opts: { amount?: number } = {},
): RefundResult<S> {
  return refundScenario(state, opts.amount ?? Math.floor(state.charge.amount / 2));
}

function refundScenario<S extends PayloadShape>(state: PaymentState<S>, amount: number): RefundResult<S> {
  const apiVersion = apiVersionFor(state.shape);
  const created = state.clock.next(2 * 24 * 60 * 60);
  const r = buildRefund({
    amount,
    chargeId: state.charge.id,
    paymentIntentId: state.paymentIntent.id,
    customerId: state.customerId,
    paymentMethodId: state.charge.payment_method,
    currency: state.charge.currency,
    created,
  });
  const amountRefunded = state.charge.amount_refunded + amount;
  const refunded = {
    ...state.charge,
    amount_refunded: amountRefunded,
    refunded: amountRefunded >= state.charge.amount,
  } as Of<S, 'charge'>;
  const eventOpts = { apiVersion, livemode: state.livemode };
  const refundCreated = makeEvent('refund.created', r, { ...eventOpts, created: state.clock.next() });
  const chargeRefunded = makeEvent('charge.refunded', refunded, {
    ...eventOpts,
    created: state.clock.next(),
    previousAttributes: { amount_refunded: state.charge.amount_refunded, refunded: state.charge.refunded },
    request: refundCreated.request,
  });
  const events = { chargeRefunded, refundCreated };
  return { ...state, charge: refunded, refund: r, events, ordered: inOrder(events) };
}
