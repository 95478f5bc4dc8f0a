import Stripe from 'stripe';

import {
  CURRENT_API_VERSION,
  LEGACY_API_VERSION,
  charge,
  checkoutSessionId,
  customerId,
  eventId,
  invoice,
  invoiceId,
  lineItem,
  makeEvent,
  oneTimePurchase,
  partialRefund,
  fullRefund,
  pastDue,
  paymentIntent,
  paymentIntentId,
  planChange,
  price,
  reactivated,
  renewal,
  subscription,
  subscriptionId,
  subscriptionItemId,
  subscriptionPurchase,
  cancellation,
  asyncPayment,
} from './index';
import type { AnyEvent } from './index';

/** Paths of values JSON would silently drop: Stripe sends `null`, never leaves a field out. */
function undefinedPaths(value: unknown, path = '$'): string[] {
  if (value === undefined) return [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => undefinedPaths(child, `${path}.${key}`));
}

function shuffled<T>(items: T[]): T[] {
  return items
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);
}

describe('Stripe fixtures', () => {
  it('pins the API version stripe-node sends', () => {
    expect(CURRENT_API_VERSION).toBe(Stripe.API_VERSION);
    expect(LEGACY_API_VERSION).toBe('2025-02-24.acacia');
  });

  describe('invoice', () => {
    it('basil: the subscription sits under parent.subscription_details, not at the top level', () => {
      const inv = invoice({
        subscriptionId: 'sub_basil',
        subscriptionItemId: 'si_basil',
        priceId: 'price_basil',
        productId: 'prod_basil',
      });

      expect(inv.parent).toMatchObject({
        type: 'subscription_details',
        subscription_details: { subscription: 'sub_basil' },
      });
      for (const removed of ['subscription', 'subscription_details', 'payment_intent', 'charge', 'paid']) {
        expect(inv).not.toHaveProperty(removed);
      }
      expect(inv).not.toHaveProperty('payments'); // includable only: never in a webhook body
      const line = inv.lines.data[0];
      expect(line?.parent?.subscription_item_details).toMatchObject({
        subscription: 'sub_basil',
        subscription_item: 'si_basil',
      });
      expect(line?.pricing?.price_details).toEqual({ price: 'price_basil', product: 'prod_basil' });
      expect(line).not.toHaveProperty('price');
      expect(line).not.toHaveProperty('type');
    });

    it('basil: expanding payments links the invoice to its PaymentIntent', () => {
      const inv = invoice({ paymentIntentId: 'pi_linked', expandPayments: true });
      expect(inv.payments?.data[0]?.payment).toEqual({ payment_intent: 'pi_linked', type: 'payment_intent' });
    });

    it('legacy: keeps the top-level subscription, payment intent and charge', () => {
      const inv = invoice({
        shape: 'legacy',
        subscriptionId: 'sub_old',
        paymentIntentId: 'pi_old',
        chargeId: 'ch_old',
      });

      expect(inv).toMatchObject({
        subscription: 'sub_old',
        payment_intent: 'pi_old',
        charge: 'ch_old',
        paid: true,
      });
      expect(inv).not.toHaveProperty('parent');
      expect(inv.lines.data[0]).toMatchObject({ type: 'subscription', subscription: 'sub_old' });
      expect(inv.lines.data[0]).not.toHaveProperty('pricing');
    });
  });

  describe('subscription', () => {
    it('basil: the billing period is on each item only', () => {
      const sub = subscription({ currentPeriodStart: 1_760_000_000, currentPeriodEnd: 1_762_678_400 });

      expect(sub).not.toHaveProperty('current_period_end');
      expect(sub).not.toHaveProperty('current_period_start');
      expect(sub.items.data[0]).toMatchObject({
        current_period_start: 1_760_000_000,
        current_period_end: 1_762_678_400,
      });
    });

    it('legacy: the period, plan and quantity are also at the top level', () => {
      const sub = subscription({
        shape: 'legacy',
        priceId: 'price_old',
        currentPeriodEnd: 1_762_678_400,
        quantity: 3,
      });

      expect(sub.current_period_end).toBe(1_762_678_400);
      expect(sub.items.data[0]?.current_period_end).toBe(1_762_678_400);
      expect(sub).toMatchObject({ plan: { id: 'price_old', object: 'plan' }, quantity: 3, discount: null });
      expect(subscription({ shape: 'legacy', itemPeriods: false }).items.data[0]).not.toHaveProperty(
        'current_period_end',
      );
    });
  });

  describe('payments', () => {
    it('only legacy charges and payment intents point at an invoice', () => {
      expect(charge()).not.toHaveProperty('invoice');
      expect(paymentIntent()).not.toHaveProperty('invoice');
      expect(charge({ shape: 'legacy', invoiceId: 'in_old' }).invoice).toBe('in_old');
      expect(paymentIntent({ shape: 'legacy', invoiceId: 'in_old' }).invoice).toBe('in_old');
    });

    it('a charge embeds refunds only when expanded', () => {
      expect(charge({ amountRefunded: 500 })).not.toHaveProperty('refunds');
      expect(charge({ expandRefunds: true }).refunds).toMatchObject({ object: 'list', data: [] });
    });

    it('a declined card leaves a card_error with the failed payment method', () => {
      const pi = paymentIntent({ lastPaymentError: true });

      expect(pi.status).toBe('requires_payment_method');
      expect(pi.payment_method).toBeNull();
      expect(pi.last_payment_error).toMatchObject({
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        charge: pi.latest_charge,
        payment_method: { object: 'payment_method', type: 'card' },
      });
    });
  });

  it('checkout line items carry the expanded price with the product as an id', () => {
    const item = lineItem({
      price: price({ productId: 'prod_x', unitAmount: 1500, recurring: null }),
      quantity: 2,
    });

    expect(item).toMatchObject({
      object: 'item',
      quantity: 2,
      amount_subtotal: 3000,
      amount_total: 3000,
      price: { product: 'prod_x' },
    });
  });

  it('makes ids with Stripe prefixes that do not repeat', () => {
    const makers = {
      eventId,
      invoiceId,
      subscriptionId,
      paymentIntentId,
      customerId,
      subscriptionItemId,
      checkoutSessionId: () => checkoutSessionId(),
    };
    for (const [name, make] of Object.entries(makers)) {
      const ids = Array.from({ length: 2000 }, () => make());
      expect({ name, unique: new Set(ids).size }).toEqual({ name, unique: ids.length });
    }
    expect(eventId()).toMatch(/^evt_[0-9A-Za-z]{24}$/);
    expect(customerId()).toMatch(/^cus_[0-9A-Za-z]{14}$/);
    expect(checkoutSessionId()).toMatch(/^cs_test_[0-9A-Za-z]{58}$/);
  });

  it('wraps objects in a full event envelope', () => {
    const automatic = makeEvent('invoice.paid', invoice(), { request: 'automatic', created: 100 });
    const updated = makeEvent('customer.subscription.updated', subscription(), {
      previousAttributes: { status: 'past_due' },
    });

    expect(automatic).toMatchObject({
      object: 'event',
      type: 'invoice.paid',
      created: 100,
      api_version: CURRENT_API_VERSION,
      livemode: false,
    });
    expect(automatic.request).toEqual({ id: null, idempotency_key: null });
    expect(automatic.data).not.toHaveProperty('previous_attributes');
    expect(updated.request.id).toMatch(/^req_/);
    expect(updated.data.previous_attributes).toEqual({ status: 'past_due' });
  });

  describe.each(['basil', 'legacy'] as const)('scenarios (%s)', (shape) => {
    const story = () => {
      const purchase = subscriptionPurchase({
        shape,
        email: 'ada@example.com',
        tier: 'pro',
        startAt: 1_760_000_000,
      });
      const renewed = renewal(purchase);
      const late = pastDue(renewed);
      const back = reactivated(late);
      const upgraded = planChange(back, { tier: 'team' });
      const ended = cancellation(upgraded, { atPeriodEnd: true });
      return { purchase, renewed, late, back, upgraded, ended };
    };

    it('stamps strictly increasing created times along the story', () => {
      const steps = story();
      const events: AnyEvent[] = Object.values(steps).flatMap((step) => step.ordered);
      const created = events.map((event) => event.created);

      expect(created).toEqual([...created].sort((a, b) => a - b));
      expect(new Set(created).size).toBe(created.length);
      const byTime = shuffled(events).sort((a, b) => a.created - b.created);
      expect(byTime.map((event) => event.id)).toEqual(events.map((event) => event.id));
      expect(
        events.every(
          (event) => event.api_version === (shape === 'basil' ? CURRENT_API_VERSION : LEGACY_API_VERSION),
        ),
      ).toBe(true);
    });

    it('shares ids between the events of one purchase', () => {
      const { purchase, renewed } = story();
      const session = purchase.events.checkoutCompleted.data.object;
      const paid = purchase.events.invoicePaid.data.object;

      expect(session).toMatchObject({
        mode: 'subscription',
        subscription: purchase.subscription.id,
        invoice: paid.id,
        customer: purchase.customerId,
      });
      expect(paid.billing_reason).toBe('subscription_create');
      expect(renewed.events.invoicePaid.data.object.billing_reason).toBe('subscription_cycle');
      expect(renewed.events.invoicePaid.data.object.customer).toBe(purchase.customerId);
      expect(purchase.events.subscriptionCreated.data.object.items.data[0]?.price.metadata).toMatchObject({
        tier: 'pro',
      });
      expect(purchase.lineItems.data[0]?.price?.id).toBe(purchase.price.id);
    });

    it('reports status and plan changes in previous_attributes', () => {
      const { late, back, upgraded, ended } = story();

      expect(late.events.subscriptionUpdated.data.previous_attributes).toEqual({ status: 'active' });
      expect(back.events.subscriptionUpdated.data.previous_attributes).toEqual({ status: 'past_due' });
      expect(upgraded.events.subscriptionUpdated.data.previous_attributes).toHaveProperty('items');
      expect(upgraded.subscription.items.data[0]?.price.metadata).toMatchObject({ tier: 'team' });
      expect(ended.events.subscriptionDeleted.data.object).toMatchObject({
        status: 'canceled',
        cancel_at_period_end: true,
      });
    });

    it('refunds the charge of a one-time purchase', () => {
      const purchase = oneTimePurchase({ shape, lines: [{ unitAmount: 1000, quantity: 2 }] });
      const partial = partialRefund(purchase, { amount: 500 });
      const rest = fullRefund(partial);

      expect(purchase.session.amount_total).toBe(2000);
      expect(partial.events.chargeRefunded.data.object).toMatchObject({
        amount_refunded: 500,
        refunded: false,
      });
      expect(rest.events.chargeRefunded.data.object).toMatchObject({ amount_refunded: 2000, refunded: true });
      expect(rest.refund).toMatchObject({
        amount: 1500,
        charge: purchase.charge.id,
        payment_intent: purchase.paymentIntent.id,
      });
    });

    it('completes an async checkout unpaid, then settles it', () => {
      const settled = asyncPayment({ shape, outcome: 'succeeded' });
      const failed = asyncPayment({ shape, outcome: 'failed' });

      expect(settled.events.checkoutCompleted.data.object.payment_status).toBe('unpaid');
      expect(settled.events.asyncPaymentSucceeded?.data.object.payment_status).toBe('paid');
      expect(failed.events.asyncPaymentFailed?.type).toBe('checkout.session.async_payment_failed');
    });

    it('leaves no field undefined, so JSON carries every field', () => {
      const { purchase, renewed, late, back, upgraded, ended } = story();
      const events = [
        purchase,
        renewed,
        late,
        back,
        upgraded,
        ended,
        oneTimePurchase({ shape }),
        asyncPayment({ shape }),
      ].flatMap((step) => step.ordered);

      expect(events.flatMap((event) => undefinedPaths(event))).toEqual([]);
    });
  });
});
