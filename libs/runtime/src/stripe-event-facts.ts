import { STRIPE_SUBJECT_PREFIX } from '@billing/contracts';

/** What an operator searches Stripe events by (see HandledLog): read from the event's object. */
export interface StripeEventFacts {
  /** The Stripe event type (`checkout.session.completed`). */
  eventType: string;
  /** The Stripe customer id (`cus_…`), when the object names one. */
  customer: string | null;
  /** The customer's email, lower-cased, when the object carries one. */
  email: string | null;
  /** When Stripe created the event. */
  createdAt: Date;
}

/** True for the subjects the gateway stores Stripe events under (`stripe.event.<type>`). */
export function isStripeEventSubject(subject: string): boolean {
  return subject.startsWith(`${STRIPE_SUBJECT_PREFIX}.`);
}

type Obj = Record<string, unknown>;

const objectOf = (value: unknown): Obj | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;

const textOf = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : null;

/**
 * The customer of a Stripe object: its `customer` (an id, or an expanded customer), or the object
 * itself when it is a customer (`customer.created`, `customer.updated`).
 */
function customerOf(object: Obj): string | null {
  if (object.object === 'customer') return textOf(object.id);
  return textOf(object.customer) ?? textOf(objectOf(object.customer)?.id);
}

/**
 * The email a Stripe object carries, wherever its type keeps it: a Checkout Session's
 * `customer_details.email` (what the buyer typed) or `customer_email` (what the session was
 * created with), an invoice's `customer_email`, a charge's or payment intent's `receipt_email`, a
 * charge's `billing_details.email`, a customer's `email`.
 * @see https://docs.stripe.com/api/checkout/sessions/object
 */
function emailOf(object: Obj): string | null {
  const candidates = [
    objectOf(object.customer_details)?.email,
    object.customer_email,
    object.receipt_email,
    objectOf(object.billing_details)?.email,
    object.object === 'customer' ? object.email : undefined,
  ];
  for (const candidate of candidates) {
    const email = textOf(candidate);
    if (email) return email.toLowerCase();
  }
  return null;
}

/**
 * Type, customer and email of a Stripe event (a snapshot event as the gateway stored it). Pure:
 * whatever the object lacks is null, and nothing here throws on an unexpected shape.
 */
export function stripeEventFacts(event: unknown): StripeEventFacts {
  const e = objectOf(event) ?? {};
  const object = objectOf(objectOf(e.data)?.object) ?? {};
  const created = typeof e.created === 'number' ? e.created : 0;
  return {
    eventType: textOf(e.type) ?? 'unknown',
    customer: customerOf(object),
    email: emailOf(object),
    createdAt: new Date(created * 1000),
  };
}
