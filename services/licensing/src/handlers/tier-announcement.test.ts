import { createLogger, type HandlerContext } from '@billing/runtime';
import { parseTierCatalog } from '../domain/tiers';
import type { Emission } from './deps';
import { emitWithTierChange } from './tier-announcement';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

function fakes() {
  let announced: string | null = null;
  const emitted: Emission[] = [];
  const deps = {
    views: { tierOf: async () => (await tick(), 'PRO') },
    customers: {
      announcedTier: async () => (await tick(), announced),
      setAnnouncedTier: async (_email: string, tier: string) => {
        await tick();
        announced = tier;
      },
    },
    policy: {
      tiers: parseTierCatalog(undefined, 'LICENSING_TIERS'),
      revokeOnPartialRefund: false,
      productPolicy: () => ({}),
    },
    events: { emit: async (items: readonly Emission[]) => void emitted.push(...items) },
    clock: () => new Date('2026-11-23T00:00:00Z'),
  };
  return { deps: deps as unknown as Parameters<typeof emitWithTierChange>[4], emitted };
}

const ctx = (messageId: string): HandlerContext => ({
  messageId,
  correlationId: messageId,
  subject: 'test',
  deliveryCount: 1,
  logger: createLogger({ service: 'test', version: 'test', level: 'silent' }),
});

describe('emitWithTierChange', () => {
  it('announces a tier change once when two consumers handle the same customer at the same time', async () => {
    const { deps, emitted } = fakes();
    const cause = { stripeCustomerId: 'cus_1', subscriptionId: 'sub_1' };
    await Promise.all([
      emitWithTierChange('Ada@Example.com', cause, [], ctx('evt_subscription_created'), deps),
      emitWithTierChange('ada@example.com', cause, [], ctx('orders.order.confirmed:ord_1'), deps),
    ]);
    const tierChanges = emitted.filter((e) => e.definition.type === 'licensing.tier.changed');
    expect(tierChanges).toHaveLength(1);
    expect(tierChanges[0]!.input.payload).toMatchObject({ previousTier: 'FREE', tier: 'PRO' });
  });

  it('keeps going for the next event of a customer after one failed', async () => {
    const { deps, emitted } = fakes();
    const failing = { ...deps, events: { emit: async () => Promise.reject(new Error('nats down')) } };
    const cause = { stripeCustomerId: null, subscriptionId: null };
    await expect(emitWithTierChange('b@example.com', cause, [], ctx('m1'), failing)).rejects.toThrow(
      'nats down',
    );
    await emitWithTierChange('b@example.com', cause, [], ctx('m2'), deps);
    expect(emitted.map((e) => e.input.id)).toEqual(['licensing.tier.changed:m2']);
  });
});
