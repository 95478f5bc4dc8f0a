import type { OrderLineV1, OrderSnapshotV1 } from '@billing/contracts';
import { planLicenses, type IssuanceInputs } from './issuance';
import { foldSubscription } from './subscription-state';

const NOW = new Date('2026-01-01T00:00:00Z');

const line = (overrides: Partial<OrderLineV1>): OrderLineV1 => ({
  lineId: 'li_1',
  stripePriceId: 'price_1',
  stripeProductId: 'prod_1',
  description: 'Pro plan',
  quantity: 1,
  unitAmount: 1900,
  amountTotal: 1900,
  currency: 'usd',
  sku: 'PRO-1M',
  productName: 'Pro plan',
  kind: 'subscription',
  tier: 'pro',
  downloadUrl: null,
  unmapped: false,
  ...overrides,
});

const order = (lines: OrderLineV1[], overrides: Partial<OrderSnapshotV1> = {}): OrderSnapshotV1 => ({
  orderId: 'ord_1',
  checkoutSessionId: 'cs_1',
  status: 'confirmed',
  mode: 'subscription',
  customerEmail: 'ada@example.com',
  customerName: 'Ada',
  stripeCustomerId: 'cus_1',
  cartId: null,
  metadata: {},
  subscriptionId: 'sub_1',
  currentPeriodEnd: '2026-02-01T00:00:00.000Z',
  amountSubtotal: 1900,
  amountTotal: 1900,
  currency: 'usd',
  lines,
  createdAt: NOW.toISOString(),
  ...overrides,
});

let counter = 0;
const inputs = (o: OrderSnapshotV1, overrides: Partial<IssuanceInputs> = {}): IssuanceInputs => ({
  order: o,
  subscription: null,
  now: NOW,
  durationDays: () => null,
  newLicenseId: () => `lic_${++counter}`,
  sign: (claims) => `signed:${JSON.stringify(claims)}`,
  ...overrides,
});

describe('planning licenses for a confirmed order', () => {
  it('issues one license per unit of every licensed line, none for physical or unmapped lines', () => {
    const planned = planLicenses(
      inputs(
        order([
          line({ lineId: 'li_sub', quantity: 2 }),
          line({ lineId: 'li_book', kind: 'digital', sku: 'EBOOK', tier: null, quantity: 1 }),
          line({ lineId: 'li_mug', kind: 'physical', sku: 'MUG' }),
          line({ lineId: 'li_x', unmapped: true, sku: null, kind: null }),
          line({ lineId: 'li_zero', quantity: 0 }),
        ]),
      ),
    );
    expect(planned.map((l) => [l.lineId, l.unitIndex])).toEqual([
      ['li_sub', 0],
      ['li_sub', 1],
      ['li_book', 0],
    ]);
    expect(new Set(planned.map((l) => l.licenseId)).size).toBe(3);
  });

  it('binds subscription lines to the subscription and its period end', () => {
    const [license] = planLicenses(inputs(order([line({})])));
    expect(license).toMatchObject({
      subscriptionId: 'sub_1',
      tier: 'PRO',
      baseExpiresAt: new Date('2026-02-01T00:00:00Z'),
      customerEmail: 'ada@example.com',
      productSku: 'PRO-1M',
    });
    // The moving subscription expiry is not part of the key.
    expect(JSON.parse(license!.key.slice('signed:'.length))).toEqual({
      lid: license!.licenseId,
      sku: 'PRO-1M',
      tier: 'PRO',
      iat: NOW.getTime() / 1000,
    });
  });

  it('takes the tier of a subscription state that arrived first', () => {
    const subscription = foldSubscription([
      {
        eventId: 'evt_1',
        kind: 'updated',
        created: 1,
        snapshot: {
          subscriptionId: 'sub_1',
          stripeCustomerId: 'cus_1',
          status: 'active',
          tier: 'PREMIUM',
          priceId: 'p',
          productId: 'q',
          currentPeriodEnd: null,
          cancelAtPeriodEnd: false,
        },
      },
    ]);
    expect(planLicenses(inputs(order([line({})]), { subscription }))[0]?.tier).toBe('PREMIUM');
  });

  it('gives one-time lines no expiry unless their product has a duration, which the key carries', () => {
    const o = order([line({ kind: 'digital', sku: 'EBOOK', tier: null })], {
      mode: 'payment',
      subscriptionId: null,
    });
    expect(planLicenses(inputs(o))[0]).toMatchObject({ subscriptionId: null, baseExpiresAt: null });
    const [timed] = planLicenses(inputs(o, { durationDays: (sku) => (sku === 'EBOOK' ? 30 : null) }));
    expect(timed?.baseExpiresAt).toEqual(new Date('2026-01-31T00:00:00Z'));
    expect(JSON.parse(timed!.key.slice('signed:'.length)).exp).toBe(
      Date.parse('2026-01-31T00:00:00Z') / 1000,
    );
  });
});
