/**
 * Types shared by the scenario builders: which object types each payload shape produces (`'basil'`:
 * {@link CURRENT_API_VERSION}; `'legacy'`: 2025-02-24.acacia), and the state a scenario hands to the
 * next step so ids stay shared and `created` keeps increasing.
 *
 * @see https://docs.stripe.com/changelog/basil
 */
import type { LegacyCharge } from './charge';
import type { LegacyCheckoutSession } from './checkout';
import type { ScenarioClock, StripeEventPayload } from './events';
import type { LegacyInvoice } from './legacy-invoice';
import type { LegacyPaymentIntent } from './payment-intent';
import type {
  Charge,
  CheckoutSession,
  Invoice,
  PayloadShape,
  PaymentIntent,
  Price,
  Product,
  Subscription,
} from './shape';
import type { LegacySubscription } from './subscription';

interface ShapeMap {
  basil: {
    charge: Charge;
    invoice: Invoice;
    paymentIntent: PaymentIntent;
    session: CheckoutSession;
    subscription: Subscription;
  };
  legacy: {
    charge: LegacyCharge;
    invoice: LegacyInvoice;
    paymentIntent: LegacyPaymentIntent;
    session: LegacyCheckoutSession;
    subscription: LegacySubscription;
  };
}

/** The object type a shape renders, e.g. `Of<'legacy', 'invoice'>` has a top-level `subscription`. */
export type Of<S extends PayloadShape, K extends keyof ShapeMap['basil']> = ShapeMap[S][K];

export interface ScenarioOptions<S extends PayloadShape> {
  shape?: S;
  /** Unix seconds of the first step; later steps are strictly later. Defaults to now. */
  startAt?: number;
  livemode?: boolean;
  currency?: string;
}

/** What a refund needs from an earlier payment scenario. */
export interface PaymentState<S extends PayloadShape> {
  shape: S;
  clock: ScenarioClock;
  livemode: boolean;
  customerId: string | null;
  paymentIntent: Of<S, 'paymentIntent'>;
  charge: Of<S, 'charge'>;
}

/** What a subscription lifecycle step needs from the step before it. */
export interface SubscriptionState<S extends PayloadShape> {
  shape: S;
  clock: ScenarioClock;
  livemode: boolean;
  customerId: string;
  email: string;
  price: Price;
  product: Product;
  subscription: Of<S, 'subscription'>;
  /** The unpaid renewal invoice left by `paymentFailed`/`pastDue`, paid by `reactivated`. */
  openInvoice?: Of<S, 'invoice'>;
  /** Its PaymentIntent, which the successful retry confirms again. */
  openPaymentIntentId?: string;
}

export type AnyEvent = StripeEventPayload<unknown>;

/** The events of one result, oldest first. */
export function inOrder(events: Record<string, AnyEvent | undefined>): AnyEvent[] {
  return Object.values(events)
    .filter((event): event is AnyEvent => event !== undefined)
    .sort((a, b) => a.created - b.created);
}
