import { ORDER_REFUNDED_V1, makeEnvelope, type OrderRefundedV1 } from '@billing/contracts';
import { createLogger, type HandlerContext, type OutboxEvent } from '@billing/runtime';
import { NO_FACTS, viewOf, type LicenseRecord } from '../domain/license-view';
import { parseTierCatalog } from '../domain/tiers';
import { licenseRecord } from '../../test/license-record';
import type { HandlerDeps } from './deps';
import { handleOrderRefunded } from './order-refunded.handler';

const ctx: HandlerContext = {
  messageId: 'orders.order.refunded:re_1',
  correlationId: 'evt_1',
  subject: ORDER_REFUNDED_V1.subject,
  deliveryCount: 1,
  logger: createLogger({ service: 'test', version: 'test', level: 'silent' }),
};

const license = licenseRecord({
  key: 'key_1',
  subscriptionId: null,
  productSku: 'APP',
  productName: 'App',
  tier: null,
  baseExpiresAt: null,
});

/** Fakes: refunds are stored in a list, and a license is revoked by any full refund stored. */
function fakes(licenses: LicenseRecord[]) {
  const refunds: Array<{ refundId: string; full: boolean }> = [];
  const emitted: OutboxEvent[] = [];
  const deps = {
    licenses: { byOrder: async () => licenses },
    orderFacts: { recordRefund: async (r: { refundId: string; full: boolean }) => (refunds.push(r), true) },
    views: {
      view: async (records: readonly LicenseRecord[], options: { exceptRefundId?: string } = {}) =>
        records.map((l) =>
          viewOf(l, {
            ...NO_FACTS,
            refundRevoked: refunds.some((r) => r.full && r.refundId !== options.exceptRefundId),
          }),
        ),
    },
    announcer: {
      emitWithTierChange: async (_email: string, _cause: unknown, events: readonly OutboxEvent[]) =>
        void emitted.push(...events),
    },
    policy: { tiers: parseTierCatalog(undefined, 'LICENSING_TIERS'), revokeOnPartialRefund: false },
    clock: () => new Date('2026-02-01T00:00:00Z'),
  } as unknown as HandlerDeps;
  return { deps, refunds, emitted };
}

const refund = (full: boolean) =>
  makeEnvelope(ORDER_REFUNDED_V1, {
    id: 'orders.order.refunded:re_1',
    correlationId: 'evt_1',
    causationId: 'evt_1',
    payload: {
      orderId: 'ord_1',
      customerEmail: 'ada@example.com',
      chargeId: 'ch_1',
      refundId: 're_1',
      paymentIntentId: 'pi_1',
      amount: full ? 2000 : 500,
      amountRefunded: full ? 2000 : 500,
      amountCharged: 2000,
      currency: 'usd',
      full,
      refundedAt: '2026-02-01T00:00:00.000Z',
    } satisfies OrderRefundedV1,
  });

describe('orders.order.refunded', () => {
  it('a full refund revokes the licenses and announces licensing.licenses.revoked', async () => {
    const { deps, refunds, emitted } = fakes([license]);
    expect(await handleOrderRefunded(refund(true), deps, ctx)).toEqual({ status: 'done' });
    expect(refunds).toEqual([expect.objectContaining({ refundId: 're_1', full: true })]);
    expect(emitted.map((e) => e.input.id)).toEqual(['licensing.licenses.revoked:re_1']);
    expect(emitted[0]!.input).toMatchObject({
      causationId: ctx.messageId,
      payload: { orderId: 'ord_1', reason: 'refunded', licenses: [{ licenseId: 'lic_1' }] },
    });
  });

  it('a partial refund is stored and keeps the licenses', async () => {
    const { deps, refunds, emitted } = fakes([license]);
    expect(await handleOrderRefunded(refund(false), deps, ctx)).toMatchObject({ status: 'skipped' });
    expect(refunds).toHaveLength(1);
    expect(emitted).toEqual([]);
  });

  it('a refund before the licenses exist is stored for them, nothing announced', async () => {
    const { deps, refunds, emitted } = fakes([]);
    expect(await handleOrderRefunded(refund(true), deps, ctx)).toMatchObject({ status: 'skipped' });
    expect(refunds).toHaveLength(1);
    expect(emitted).toEqual([]);
  });
});
