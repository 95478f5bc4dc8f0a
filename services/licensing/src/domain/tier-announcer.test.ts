import { createLogger, type HandlerContext, type OutboxEvent } from '@billing/runtime';
import type { TierAnnouncementDoc } from '../db/customer.model';
import { emailKeyOf } from '../db/license.model';
import { TierAnnouncer, type TierAnnouncerDeps } from './tier-announcer';
import { parseTierCatalog } from './tiers';

const tick = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 5));

/** The store's chain of announcements, shared by every "replica"; an insert decides each link. */
function fakeStore() {
  const chain = new Map<string, TierAnnouncementDoc>();
  const emitted: OutboxEvent[] = [];
  let failEmits = 0;
  const deps: TierAnnouncerDeps = {
    views: { tierOf: async () => (await tick(), 'PRO') },
    customers: {
      lastAnnouncement: async (email: string) => {
        await tick();
        const mine = [...chain.values()].filter((a) => a.emailKey === emailKeyOf(email));
        return mine.sort((a, b) => b.seq - a.seq)[0] ?? null;
      },
      announcementsOf: async (messageId: string) => (
        await tick(),
        [...chain.values()].filter((a) => a.messageId === messageId)
      ),
      addAnnouncement: async (a: Omit<TierAnnouncementDoc, '_id' | 'emailKey'> & { email: string }) => {
        await tick();
        const id = `${emailKeyOf(a.email)}:${a.seq}`;
        if (chain.has(id)) return false;
        chain.set(id, { ...a, _id: id, emailKey: emailKeyOf(a.email) });
        return true;
      },
    },
    tiers: parseTierCatalog(undefined, 'LICENSING_TIERS'),
    events: {
      emit: async (items: readonly OutboxEvent[]) => {
        if (failEmits > 0) {
          failEmits -= 1;
          throw new Error('nats down');
        }
        emitted.push(...items);
      },
    },
    clock: () => new Date('2026-11-23T00:00:00Z'),
  };
  return {
    deps,
    emitted,
    failNextEmit: () => (failEmits = 1),
  };
}

/** Another replica (another process): its own announcer, on the same store. */
const replica = (deps: TierAnnouncerDeps) => new TierAnnouncer(deps);

const ctx = (messageId: string): HandlerContext => ({
  messageId,
  correlationId: messageId,
  subject: 'test',
  deliveryCount: 1,
  logger: createLogger({ service: 'test', version: 'test', level: 'silent' }),
});

const tierChanges = (emitted: OutboxEvent[]) =>
  emitted.filter((e) => e.definition.type === 'licensing.tier.changed');
const cause = { stripeCustomerId: 'cus_1', subscriptionId: 'sub_1' };

describe('TierAnnouncer.emitWithTierChange', () => {
  it('announces a tier change once when replicas handle events of the same customer at once', async () => {
    for (let run = 0; run < 20; run++) {
      const { deps, emitted } = fakeStore();
      const replicas = [replica(deps), replica(deps), replica(deps)];
      await Promise.all(
        replicas.flatMap((announcer, r) => [
          announcer.emitWithTierChange('Ada@Example.com', cause, [], ctx(`evt_subscription_created_${r}`)),
          announcer.emitWithTierChange('ada@example.com', cause, [], ctx(`orders.order.confirmed:ord_${r}`)),
        ]),
      );
      const changes = tierChanges(emitted);
      expect(changes).toHaveLength(1);
      expect(changes[0]!.input.id).toBe('licensing.tier.changed:ada@example.com:1');
      expect(changes[0]!.input.payload).toMatchObject({ previousTier: 'FREE', tier: 'PRO' });
    }
  });

  it('publishes the same announcement again when its message is redelivered after a failed publish', async () => {
    const { deps, emitted, failNextEmit } = fakeStore();
    const announcer = replica(deps);
    failNextEmit();
    await expect(announcer.emitWithTierChange('b@example.com', cause, [], ctx('m1'))).rejects.toThrow(
      'nats down',
    );
    // Another message finds the change decided already (by m1): nothing new to announce.
    await announcer.emitWithTierChange('b@example.com', cause, [], ctx('m2'));
    expect(tierChanges(emitted)).toHaveLength(0);
    // m1's redelivery publishes what m1 decided, under the same id.
    await announcer.emitWithTierChange('b@example.com', cause, [], ctx('m1'));
    expect(tierChanges(emitted).map((e) => e.input.id)).toEqual(['licensing.tier.changed:b@example.com:1']);
  });
});
