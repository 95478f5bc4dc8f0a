import { stripeFixtures as fx } from '@billing/testkit';
import { planDiffers, previousPlanOf, snapshotOf } from './stripe-subscription';

describe('reading Stripe subscription objects', () => {
  it.each(['basil', 'legacy'] as const)('reads tier, price, product and period end (%s shape)', (shape) => {
    const purchase = fx.subscriptionPurchase({ shape, tier: 'pro' });
    const snapshot = snapshotOf(purchase.events.subscriptionCreated.data.object);
    const item = purchase.subscription.items.data[0]!;
    expect(snapshot).toEqual({
      subscriptionId: purchase.subscription.id,
      stripeCustomerId: purchase.customerId,
      status: 'active',
      tier: 'PRO',
      priceId: purchase.price.id,
      productId: purchase.product.id,
      currentPeriodEnd: new Date(item.current_period_end! * 1000),
      cancelAtPeriodEnd: false,
    });
  });

  it('reads the top-level period of a legacy payload without item periods', () => {
    const sub = fx.subscription({ shape: 'legacy', itemPeriods: false, currentPeriodEnd: 1_800_000_000 });
    expect(sub.items.data[0]).not.toHaveProperty('current_period_end');
    expect(snapshotOf(sub).currentPeriodEnd).toEqual(new Date(1_800_000_000 * 1000));
  });

  it.each(['basil', 'legacy'] as const)('finds the previous plan of a plan change (%s)', (shape) => {
    const purchase = fx.subscriptionPurchase({ shape, tier: 'pro' });
    const change = fx.planChange(purchase, { tier: 'premium' });
    const event = change.events.subscriptionUpdated;
    const previous = previousPlanOf(event.data.previous_attributes);
    expect(previous).toEqual({ priceId: purchase.price.id, productId: purchase.product.id, tier: 'PRO' });
    const now = snapshotOf(event.data.object);
    expect(now.tier).toBe('PREMIUM');
    expect(planDiffers(previous!, now)).toBe(true);
  });

  it('sees no plan change in a renewal, although items changed', () => {
    const purchase = fx.subscriptionPurchase({ tier: 'pro' });
    const event = fx.renewal(purchase).events.subscriptionUpdated;
    expect(Object.keys(event.data.previous_attributes ?? {})).toContain('items');
    const previous = previousPlanOf(event.data.previous_attributes);
    expect(planDiffers(previous!, snapshotOf(event.data.object))).toBe(false);
  });

  it('has no previous plan for a status change', () => {
    const purchase = fx.subscriptionPurchase({ tier: 'pro' });
    const pastDue = fx.pastDue(purchase).events.subscriptionUpdated;
    expect(snapshotOf(pastDue.data.object).status).toBe('past_due');
    expect(previousPlanOf(pastDue.data.previous_attributes)).toBeNull();
  });

  it('refuses an object that is not a subscription', () => {
    expect(() => snapshotOf({ id: 'in_1', object: 'invoice' })).toThrow('not a subscription');
  });
});
