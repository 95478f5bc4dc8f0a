import { orderIdFor } from './order-id';

describe('order ids', () => {
  it('derive the same id from the same checkout session, and different ids from different ones', () => {
    const a = orderIdFor('cs_test_a1abc');
    expect(a).toMatch(/^ord_[0-9a-f]{24}$/);
    expect(orderIdFor('cs_test_a1abc')).toBe(a);
    expect(orderIdFor('cs_test_a1abd')).not.toBe(a);
  });
});
