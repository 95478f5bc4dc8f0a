import {
  accessOf,
  applyFact,
  foldSubscription,
  grantsTier,
  isApplied,
  type SubscriptionFact,
} from './subscription-state';
import type { SubscriptionSnapshot } from './stripe-subscription';

const snapshot = (status: string, tier: string | null = 'PRO'): SubscriptionSnapshot => ({
  subscriptionId: 'sub_1',
  stripeCustomerId: 'cus_1',
  status,
  tier,
  priceId: `price_${tier}`,
  productId: `prod_${tier}`,
  currentPeriodEnd: new Date('2026-02-01T00:00:00Z'),
  cancelAtPeriodEnd: false,
});

const fact = (
  eventId: string,
  kind: SubscriptionFact['kind'],
  created: number,
  status: string,
  tier = 'PRO',
): SubscriptionFact => ({
  eventId,
  kind,
  created,
  snapshot: snapshot(status, tier),
});

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** Applies facts one by one, as the handler does, and checks it agrees with folding them all. */
function replay(facts: readonly SubscriptionFact[]) {
  let state = null as ReturnType<typeof foldSubscription>;
  const applied: string[] = [];
  for (const f of facts) {
    const next = applyFact(state, f);
    if (isApplied(state, next)) applied.push(f.eventId);
    state = next;
  }
  return { state, applied };
}

describe('subscription state from facts', () => {
  const created = fact('evt_a', 'created', 100, 'active');
  const pastDue = fact('evt_b', 'updated', 200, 'past_due');
  const upgraded = fact('evt_c', 'updated', 300, 'active', 'PREMIUM');
  const deleted = fact('evt_d', 'deleted', 400, 'canceled', 'PREMIUM');

  it('is the newest fact by Stripe created', () => {
    const state = foldSubscription([upgraded, created, pastDue]);
    expect(state).toMatchObject({ status: 'active', tier: 'PREMIUM', deleted: false, lastEventId: 'evt_c' });
  });

  it.each(permutations([created, pastDue, upgraded]).map((p) => [p.map((f) => f.eventId).join(','), p]))(
    'converges to the same state in every delivery order (%s)',
    (_order, facts) => {
      const { state } = replay(facts as SubscriptionFact[]);
      expect(state).toEqual(foldSubscription([created, pastDue, upgraded]));
      expect(state).toMatchObject({ status: 'active', tier: 'PREMIUM' });
    },
  );

  it.each(permutations([created, pastDue, deleted]).map((p) => [p.map((f) => f.eventId).join(','), p]))(
    'ends deleted in every order of created/updated/deleted (%s)',
    (_order, facts) => {
      const { state } = replay(facts as SubscriptionFact[]);
      expect(state).toMatchObject({ deleted: true, status: 'canceled', lastEventId: 'evt_d' });
      expect(accessOf(state)).toBe('revoked');
    },
  );

  it('keeps a deletion final even when a later update arrives', () => {
    const late = fact('evt_e', 'updated', 500, 'active');
    const state = foldSubscription([created, deleted, late]);
    expect(state).toMatchObject({ deleted: true, status: 'canceled', lastEventId: 'evt_d' });
    const { applied } = replay([created, deleted, late]);
    expect(applied).toEqual(['evt_a', 'evt_d']);
  });

  it('ignores an update older than the one applied', () => {
    const { state, applied } = replay([created, upgraded, pastDue]);
    expect(applied).toEqual(['evt_a', 'evt_c']);
    expect(state?.status).toBe('active');
  });

  it('orders events of the same second as created, updated, deleted', () => {
    const sameSecond = [fact('evt_z', 'created', 100, 'incomplete'), fact('evt_y', 'updated', 100, 'active')];
    expect(foldSubscription(sameSecond)?.status).toBe('active');
    expect(replay([...sameSecond].reverse()).state?.status).toBe('active');
  });

  it('maps statuses to license access and tier', () => {
    const at = (status: string) => foldSubscription([fact('e', 'updated', 1, status)])!;
    expect(accessOf(null)).toBe('active');
    expect(accessOf(at('active'))).toBe('active');
    expect(accessOf(at('trialing'))).toBe('active');
    for (const status of ['past_due', 'unpaid', 'paused', 'incomplete'])
      expect(accessOf(at(status))).toBe('suspended');
    expect(grantsTier(at('past_due'))).toBe(true);
    expect(grantsTier(at('incomplete_expired'))).toBe(false);
    expect(grantsTier(foldSubscription([deleted])!)).toBe(false);
  });
});
