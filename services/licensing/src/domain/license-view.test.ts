import { licenseRecord } from '../../test/license-record';
import { NO_FACTS, verifyCode, viewOf } from './license-view';
import { foldSubscription, type SubscriptionFact } from './subscription-state';

const JAN = new Date('2026-01-01T00:00:00Z');
const FEB = new Date('2026-02-01T00:00:00Z');
const MAR = new Date('2026-03-01T00:00:00Z');

const license = licenseRecord;

const state = (kind: SubscriptionFact['kind'], status: string, tier = 'PRO') =>
  foldSubscription([
    {
      eventId: 'evt_1',
      kind,
      created: 1,
      snapshot: {
        subscriptionId: 'sub_1',
        stripeCustomerId: 'cus_1',
        status,
        tier,
        priceId: 'price_1',
        productId: 'prod_1',
        currentPeriodEnd: MAR,
        cancelAtPeriodEnd: false,
      },
    },
  ]);

describe('license view', () => {
  it('is active with its issue-time tier and expiry when nothing else is known', () => {
    expect(viewOf(license(), NO_FACTS)).toMatchObject({
      status: 'active',
      tier: 'PRO',
      expiresAt: FEB,
      revokeReason: null,
    });
  });

  it('follows the subscription: suspended, tier changes, revoked on deletion', () => {
    expect(viewOf(license(), { ...NO_FACTS, subscription: state('updated', 'past_due') }).status).toBe(
      'suspended',
    );
    expect(viewOf(license(), { ...NO_FACTS, subscription: state('updated', 'active', 'PREMIUM') }).tier).toBe(
      'PREMIUM',
    );
    expect(viewOf(license(), { ...NO_FACTS, subscription: state('deleted', 'canceled') })).toMatchObject({
      status: 'revoked',
      revokeReason: 'subscription_deleted',
    });
  });

  it('ignores subscription facts for a one-time license', () => {
    const oneTime = license({ subscriptionId: null, baseExpiresAt: null });
    const view = viewOf(oneTime, {
      subscription: state('deleted', 'canceled'),
      refundRevoked: false,
      paidThrough: MAR,
    });
    expect(view).toMatchObject({ status: 'active', expiresAt: null });
  });

  it('keeps a revocation over anything that would reactivate or extend', () => {
    const facts = { subscription: state('updated', 'active'), refundRevoked: true, paidThrough: MAR };
    expect(viewOf(license(), facts)).toMatchObject({
      status: 'revoked',
      revokeReason: 'refunded',
      expiresAt: MAR,
    });
    const byAdmin = license({ revokedAt: JAN, revokeReason: 'admin' });
    expect(viewOf(byAdmin, { ...facts, refundRevoked: false }).revokeReason).toBe('admin');
  });

  it('suspends for an operator even with an active subscription', () => {
    expect(
      viewOf(license({ suspendedAt: JAN }), { ...NO_FACTS, subscription: state('updated', 'active') }).status,
    ).toBe('suspended');
  });

  it('never shortens expiry: the later of issue-time expiry and the paid period', () => {
    expect(viewOf(license(), { ...NO_FACTS, paidThrough: MAR }).expiresAt).toEqual(MAR);
    expect(viewOf(license({ baseExpiresAt: MAR }), { ...NO_FACTS, paidThrough: FEB }).expiresAt).toEqual(MAR);
    expect(viewOf(license({ baseExpiresAt: null }), { ...NO_FACTS, paidThrough: FEB }).expiresAt).toEqual(
      FEB,
    );
  });
});

describe('verify codes', () => {
  const active = viewOf(license(), NO_FACTS);
  const before = new Date('2026-01-15T00:00:00Z');

  it('reports status before expiry before machines', () => {
    const revoked = viewOf(license(), { ...NO_FACTS, refundRevoked: true });
    const suspended = viewOf(license({ suspendedAt: JAN }), NO_FACTS);
    expect(verifyCode(revoked, MAR)).toBe('REVOKED');
    expect(verifyCode(suspended, MAR)).toBe('SUSPENDED');
    expect(verifyCode(active, MAR)).toBe('EXPIRED');
    expect(verifyCode(active, FEB)).toBe('EXPIRED');
    expect(verifyCode(active, before)).toBe('VALID');
  });

  it('scopes to a machine fingerprint', () => {
    expect(verifyCode(active, before, { activated: true, used: 3, seats: 3 })).toBe('VALID');
    expect(verifyCode(active, before, { activated: false, used: 1, seats: 3 })).toBe(
      'FINGERPRINT_SCOPE_MISMATCH',
    );
    expect(verifyCode(active, before, { activated: false, used: 3, seats: 3 })).toBe('TOO_MANY_MACHINES');
  });

  it('never expires a license without expiry', () => {
    expect(verifyCode(viewOf(license({ baseExpiresAt: null }), NO_FACTS), new Date('2100-01-01'))).toBe(
      'VALID',
    );
  });
});
