import { stripeEventValidator, type StripeEventShape } from '@billing/contracts';
import { createLogger, type HandlerContext, type OutboxEvent } from '@billing/runtime';
import { stripeFixtures as sf } from '@billing/testkit';
import type { StoredSubscriptionFact } from '../db/subscription.repository';
import { viewOf, type LicenseRecord } from '../domain/license-view';
import { foldSubscription, type SubscriptionState } from '../domain/subscription-state';
import { parseTierCatalog } from '../domain/tiers';
import { licenseRecord } from '../../test/license-record';
import type { HandlerDeps } from './deps';
import { handleSubscriptionEvent } from './subscription-event.handler';

const logger = createLogger({ service: 'test', version: 'test', level: 'silent' });
const ctxOf = (event: StripeEventShape): HandlerContext => ({
  messageId: event.id,
  correlationId: event.id,
  subject: `stripe.event.${event.type}`,
  deliveryCount: 1,
  logger,
});

const subscriptionId = 'sub_unit_1';
const license = licenseRecord({
  key: 'key_1',
  stripeCustomerId: 'cus_unit_1',
  subscriptionId,
  productSku: 'APP-PRO',
  productName: 'App Pro',
  tier: 'pro',
  baseExpiresAt: null,
});

/**
 * Fakes: subscription facts kept in a list (the state is the fold of them, as the repository's
 * links record it), licenses viewed with the state the handler asks for, events collected.
 */
function fakes(licenses: LicenseRecord[]) {
  const facts: StoredSubscriptionFact[] = [];
  const emitted: OutboxEvent[] = [];
  const claimed: string[] = [];
  const stateNow = (): SubscriptionState | null => foldSubscription(facts);
  const deps = {
    subscriptions: {
      fact: async (eventId: string) => facts.find((f) => f.eventId === eventId) ?? null,
      previousOf: async () => stateNow(),
      record: async (fact: Omit<StoredSubscriptionFact, 'recordedAt'>, at: Date) => {
        const stored = { ...fact, recordedAt: at };
        facts.push(stored);
        return stored;
      },
      isCurrent: async (_id: string, eventId: string) => stateNow()?.lastEventId === eventId,
    },
    licenses: { bySubscription: async () => licenses },
    customers: { emailOf: async () => null },
    views: {
      view: async (
        records: readonly LicenseRecord[],
        options: { subscription: { state: SubscriptionState } },
      ) =>
        records.map((l) =>
          viewOf(l, { subscription: options.subscription.state, refundRevoked: false, paidThrough: null }),
        ),
    },
    revocations: {
      claim: async (ids: readonly string[]) => {
        claimed.push(...ids);
        return new Set(ids);
      },
    },
    announcer: {
      emitWithTierChange: async (_email: string, _cause: unknown, events: readonly OutboxEvent[]) =>
        void emitted.push(...events),
    },
    policy: { tiers: parseTierCatalog(undefined, 'LICENSING_TIERS'), revokeOnPartialRefund: false },
    clock: () => new Date('2026-02-01T00:00:00Z'),
  } as unknown as HandlerDeps;
  return { deps, facts, emitted, claimed };
}

function event(
  type: 'customer.subscription.created' | 'customer.subscription.updated' | 'customer.subscription.deleted',
  status: 'active' | 'past_due' | 'canceled',
  created: number,
): StripeEventShape {
  const object = sf.subscription({ id: subscriptionId, customerId: 'cus_unit_1', status });
  const built = sf.makeEvent(type, object, {
    created,
    ...(type === 'customer.subscription.updated' && { previousAttributes: { status: 'active' } }),
  });
  if (!stripeEventValidator.check(built)) throw new Error('fixture is not a Stripe event');
  return built;
}

const ids = (events: OutboxEvent[]) => events.map((e) => e.input.id);

describe('customer.subscription.* (licensing)', () => {
  it('past_due suspends the licenses, a later active reinstates them, and each is announced once', async () => {
    const { deps, emitted } = fakes([license]);
    const created = event('customer.subscription.created', 'active', 1000);
    const pastDue = event('customer.subscription.updated', 'past_due', 1001);
    const active = event('customer.subscription.updated', 'active', 1002);

    expect(await handleSubscriptionEvent('created', created, deps, ctxOf(created))).toEqual({
      status: 'done',
    });
    expect(await handleSubscriptionEvent('updated', pastDue, deps, ctxOf(pastDue))).toEqual({
      status: 'done',
    });
    expect(ids(emitted)).toEqual([
      `licensing.subscription.created:${subscriptionId}`,
      `licensing.subscription.updated:${pastDue.id}`,
      expect.stringMatching(/^licensing\.licenses\.suspended:/),
    ]);
    emitted.length = 0;
    expect(await handleSubscriptionEvent('updated', active, deps, ctxOf(active))).toEqual({ status: 'done' });
    expect(ids(emitted)).toEqual([
      `licensing.subscription.updated:${active.id}`,
      expect.stringMatching(/^licensing\.licenses\.reactivated:/),
    ]);
    expect(emitted[1]!.input.payload).toMatchObject({ licenses: [{ licenseId: 'lic_1', status: 'active' }] });
  });

  it('an update older than the state applied changes nothing and announces nothing', async () => {
    const { deps, emitted } = fakes([license]);
    const newer = event('customer.subscription.updated', 'active', 2002);
    const older = event('customer.subscription.updated', 'past_due', 2001);
    await handleSubscriptionEvent('updated', newer, deps, ctxOf(newer));
    emitted.length = 0;
    expect(await handleSubscriptionEvent('updated', older, deps, ctxOf(older))).toEqual({
      status: 'skipped',
      reason: 'older than the subscription state already applied',
    });
    expect(emitted).toEqual([]);
  });

  it('the deletion revokes the licenses (announced by the claim holder) and cancels the subscription', async () => {
    const { deps, emitted, claimed } = fakes([license]);
    const created = event('customer.subscription.created', 'active', 3000);
    const deleted = event('customer.subscription.deleted', 'canceled', 3001);
    await handleSubscriptionEvent('created', created, deps, ctxOf(created));
    emitted.length = 0;
    expect(await handleSubscriptionEvent('deleted', deleted, deps, ctxOf(deleted))).toEqual({
      status: 'done',
    });
    expect(claimed).toEqual(['lic_1']);
    expect(ids(emitted)).toEqual([
      `licensing.subscription.cancelled:${subscriptionId}`,
      expect.stringMatching(/^licensing\.licenses\.revoked:/),
    ]);
    expect(emitted[1]!.input.payload).toMatchObject({ reason: 'subscription_deleted' });
  });

  it('waits for the customer email when neither the customer nor a license knows it yet', async () => {
    const { deps, emitted, facts } = fakes([]);
    const created = event('customer.subscription.created', 'active', 4000);
    expect(await handleSubscriptionEvent('created', created, deps, ctxOf(created))).toEqual({
      status: 'retry',
      reason: 'customer email not known yet',
    });
    // The fact is kept: licenses issued later read it.
    expect(facts.map((f) => f.eventId)).toEqual([created.id]);
    expect(emitted).toEqual([]);
  });
});
