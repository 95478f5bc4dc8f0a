import {
  CONSUMED_STRIPE_EVENT_TYPES,
  LICENSING_STRIPE_EVENT_TYPES,
  ORDERS_STRIPE_EVENT_TYPES,
  stripeEventSubject,
} from './index';

describe('CONSUMED_STRIPE_EVENT_TYPES', () => {
  it('is every type a service consumes, each once', () => {
    for (const type of [...ORDERS_STRIPE_EVENT_TYPES, ...LICENSING_STRIPE_EVENT_TYPES]) {
      expect(CONSUMED_STRIPE_EVENT_TYPES).toContain(type);
    }
    expect(new Set(CONSUMED_STRIPE_EVENT_TYPES).size).toBe(CONSUMED_STRIPE_EVENT_TYPES.length);
    // customer.subscription.deleted is consumed by both services, listed once.
    expect(CONSUMED_STRIPE_EVENT_TYPES.filter((t) => t === 'customer.subscription.deleted')).toHaveLength(1);
    for (const type of CONSUMED_STRIPE_EVENT_TYPES) expect(() => stripeEventSubject(type)).not.toThrow();
  });
});
