import { stripeFixtures as sf } from '@billing/testkit';
import {
  failureReason,
  invoicePaymentIntentId,
  invoicePeriodEnd,
  invoiceSubscriptionId,
  isSessionPaid,
  refundsCoveredBy,
  sessionEmail,
  subscriptionPeriodEnd,
  type ChargeWire,
  type CheckoutSessionWire,
  type InvoiceWire,
  type SubscriptionWire,
} from './stripe-objects';

const asWire = <T>(value: unknown) => value as T;

describe('reading Stripe objects of both shapes', () => {
  it('takes the session email from customer_details, else customer_email, lower-cased', () => {
    const session = asWire<CheckoutSessionWire>(sf.checkoutSession({ email: ' Ada@Example.COM ' }));
    expect(sessionEmail(session)).toBe('ada@example.com');
    expect(sessionEmail({ ...session, customer_details: null, customer_email: 'Bob@Example.com' })).toBe(
      'bob@example.com',
    );
    expect(sessionEmail({ ...session, customer_details: { email: null }, customer_email: null })).toBeNull();
  });

  it('knows a paid session', () => {
    expect(isSessionPaid({ payment_status: 'paid' })).toBe(true);
    expect(isSessionPaid({ payment_status: 'no_payment_required' })).toBe(true);
    expect(isSessionPaid({ payment_status: 'unpaid' })).toBe(false);
  });

  it.each(['basil', 'legacy'] as const)('finds the subscription and period end of a %s invoice', (shape) => {
    const periodEnd = 1_900_000_000;
    const invoice = asWire<InvoiceWire>(
      sf.invoice({
        shape,
        subscriptionId: 'sub_1abc',
        periodStart: periodEnd - 30 * 86400,
        periodEnd,
        paymentIntentId: 'pi_3abc',
      }),
    );
    expect(invoiceSubscriptionId(invoice)).toBe('sub_1abc');
    expect(invoicePeriodEnd(invoice)).toEqual(new Date(periodEnd * 1000));
    // Basil invoices name their PaymentIntent only when fetched with expand[]=payments.
    expect(invoicePaymentIntentId(invoice)).toBe(shape === 'legacy' ? 'pi_3abc' : null);
  });

  it('reads the PaymentIntent of an expanded basil invoice', () => {
    const invoice = asWire<InvoiceWire>(sf.invoice({ paymentIntentId: 'pi_3xyz', expandPayments: true }));
    expect(invoicePaymentIntentId(invoice)).toBe('pi_3xyz');
  });

  it('gives no subscription for a one-off invoice', () => {
    expect(invoiceSubscriptionId({ id: 'in_1', object: 'invoice', parent: null })).toBeNull();
  });

  it('reads the period end of basil, legacy and pre-basil legacy subscriptions', () => {
    const end = 1_900_000_000;
    const basil = sf.subscription({ currentPeriodEnd: end });
    const shapes = [basil, sf.toLegacySubscription(basil, true), sf.toLegacySubscription(basil, false)];
    expect('current_period_end' in shapes[2]!.items.data[0]!).toBe(false);
    for (const subscription of shapes) {
      expect(subscriptionPeriodEnd(asWire<SubscriptionWire>(subscription))).toEqual(new Date(end * 1000));
    }
  });

  it('keeps the failure reason support needs', () => {
    expect(
      failureReason({
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
        type: 'card_error',
      }),
    ).toEqual({
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
      type: 'card_error',
    });
    expect(failureReason(null)).toEqual({ code: null, declineCode: null, message: null, type: null });
  });
});

describe('refunds covered by a charge.refunded snapshot', () => {
  const charge = (amountRefunded: number): ChargeWire => ({
    id: 'ch_1',
    object: 'charge',
    amount: 1000,
    amount_refunded: amountRefunded,
    currency: 'usd',
  });
  const refunds = [
    { id: 're_b', amount: 600, created: 200 },
    { id: 're_a', amount: 400, created: 100 },
    { id: 're_failed', amount: 400, created: 150, status: 'failed' },
  ];

  it('takes the refunds up to the snapshot, oldest first, each with the running total', () => {
    expect(refundsCoveredBy(charge(400), refunds)).toEqual([
      { refundId: 're_a', amount: 400, amountRefunded: 400, full: false, refundedAt: new Date(100_000) },
    ]);
    expect(refundsCoveredBy(charge(1000), refunds)).toEqual([
      { refundId: 're_a', amount: 400, amountRefunded: 400, full: false, refundedAt: new Date(100_000) },
      { refundId: 're_b', amount: 600, amountRefunded: 1000, full: true, refundedAt: new Date(200_000) },
    ]);
  });

  it('answers null while Stripe’s list does not add up to the snapshot', () => {
    expect(refundsCoveredBy(charge(1000), refunds.slice(1))).toBeNull();
    expect(refundsCoveredBy(charge(500), refunds)).toBeNull();
  });
});
