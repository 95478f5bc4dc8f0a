import { stripeFixtures as sf } from '@billing/testkit';
import { isStripeEventSubject, stripeEventFacts } from './stripe-event-facts';

describe('stripeEventFacts', () => {
  it('reads the customer and the email the buyer typed from a Checkout Session', () => {
    const session = sf.checkoutSession({ email: 'Ada.Lovelace@Example.COM', customerId: 'cus_Ada123' });
    const event = sf.makeEvent('checkout.session.completed', session, { created: 1_770_000_000 });
    expect(stripeEventFacts(event)).toEqual({
      eventType: 'checkout.session.completed',
      customer: 'cus_Ada123',
      email: 'ada.lovelace@example.com',
      createdAt: new Date(1_770_000_000_000),
    });
  });

  it('falls back to customer_email on a guest checkout without customer details', () => {
    const session = {
      ...sf.checkoutSession({ customerId: null }),
      customer_details: null,
      customer_email: 'Guest@Example.com',
    };
    const facts = stripeEventFacts(sf.makeEvent('checkout.session.completed', session));
    expect(facts).toMatchObject({ customer: null, email: 'guest@example.com' });
  });

  it('reads an invoice’s customer_email', () => {
    const invoice = sf.invoice({ customerId: 'cus_Inv1', customerEmail: 'billing@example.com' });
    expect(stripeEventFacts(sf.makeEvent('invoice.paid', invoice))).toMatchObject({
      eventType: 'invoice.paid',
      customer: 'cus_Inv1',
      email: 'billing@example.com',
    });
  });

  it('reads a charge’s receipt email, else its billing details', () => {
    const charge = sf.charge({ customerId: 'cus_Ch1', receiptEmail: 'Receipt@Example.com' });
    expect(stripeEventFacts(sf.makeEvent('charge.refunded', charge))).toMatchObject({
      customer: 'cus_Ch1',
      email: 'receipt@example.com',
    });
    const noReceipt = { ...charge, receipt_email: null };
    expect(noReceipt.billing_details.email).toBeTruthy();
    expect(stripeEventFacts(sf.makeEvent('charge.refunded', noReceipt)).email).toBe(
      noReceipt.billing_details.email!.toLowerCase(),
    );
  });

  it('takes a customer object’s own id and email', () => {
    const customer = { id: 'cus_Obj1', object: 'customer', email: 'Owner@Example.com', name: 'Owner' };
    expect(stripeEventFacts(sf.makeEvent('customer.updated', customer))).toMatchObject({
      eventType: 'customer.updated',
      customer: 'cus_Obj1',
      email: 'owner@example.com',
    });
  });

  it('leaves out what an object does not carry, and never throws on odd shapes', () => {
    const subscription = sf.makeEvent('customer.subscription.deleted', {
      id: 'sub_1',
      object: 'subscription',
      customer: 'cus_Sub1',
    });
    expect(stripeEventFacts(subscription)).toMatchObject({ customer: 'cus_Sub1', email: null });
    expect(stripeEventFacts({ type: 'x.y', data: null })).toMatchObject({
      eventType: 'x.y',
      customer: null,
      email: null,
    });
    expect(stripeEventFacts('not an event')).toMatchObject({ eventType: 'unknown', customer: null });
  });

  it('knows the subjects Stripe events are stored under', () => {
    expect(isStripeEventSubject('stripe.event.invoice.paid')).toBe(true);
    expect(isStripeEventSubject('orders.order.confirmed.v1')).toBe(false);
    expect(isStripeEventSubject('stripe.eventual')).toBe(false);
  });
});
