import {
  makeEnvelope,
  ORDER_LICENSED_V1,
  PAYMENT_RECORDED_V1,
  TIER_CHANGED_V1,
  type EnvelopeInput,
  type EventDefinition,
  type OrderSnapshotV1,
} from '@billing/contracts';
import type { Static, TSchema } from '@sinclair/typebox';
import type { EmailRequest, SendResult } from '../email/email-sender';
import type { TemplateName } from '../email/template-models';
import type { OutboundEvent } from '../webhooks/dispatcher';
import type { HandlerDeps } from './deps';
import { handleOrderLicensed } from './order-licensed.handler';
import { handlePaymentRecorded } from './payment-recorded.handler';
import { handleTierChanged } from './tier-changed.handler';

/** Fakes that record what a handler asked for. */
function fakes(options: { sendResult?: SendResult; order?: OrderSnapshotV1 | null } = {}) {
  const emails: Array<EmailRequest<TemplateName>> = [];
  const webhooks: OutboundEvent[] = [];
  const deps: HandlerDeps = {
    emails: {
      send: async (request) => {
        emails.push(request as EmailRequest<TemplateName>);
        return options.sendResult ?? { status: 'sent' };
      },
    },
    webhooks: { publish: async (events) => void webhooks.push(...events) },
    orders: { save: async () => undefined, get: async () => options.order ?? null },
    erasure: {
      erase: async () => ({ emailSends: 0, orderSnapshots: 0, webhookMessages: 0, deliveryAttempts: 0 }),
    },
  };
  return { deps, emails, webhooks };
}

const envelope = <S extends TSchema>(def: EventDefinition<S>, id: string, payload: Static<S>) =>
  makeEnvelope(def, { id, payload, correlationId: 'evt_1', causationId: 'evt_1' } as EnvelopeInput<
    Static<S>
  >);

const tier = (previousTier: string, next: string, subscriptionId: string | null = 'sub_1') =>
  envelope(TIER_CHANGED_V1, `licensing.tier.changed:${previousTier}-${next}`, {
    customerEmail: 'ada@example.com',
    stripeCustomerId: null,
    subscriptionId,
    previousTier,
    tier: next,
    features: ['A'],
  });

describe('handlers', () => {
  it('tier.changed: welcome on the first paid tier, confirmation on a change, "ended" on FREE, nothing when equal', async () => {
    const cases: Array<[string, string, TemplateName | null, boolean?]> = [
      ['FREE', 'PRO', 'subscription-confirmed', true],
      ['PRO', 'TEAM', 'subscription-confirmed', false],
      ['PRO', 'free', 'subscription-ended'],
      ['PRO', 'PRO', null],
    ];
    for (const [from, to, template, isNew] of cases) {
      const { deps, emails, webhooks } = fakes();
      expect(await handleTierChanged(tier(from, to), deps)).toEqual({ status: 'done' });
      expect(webhooks.map((w) => w.type)).toEqual(['tier.changed']);
      expect(emails.map((e) => e.template)).toEqual(template ? [template] : []);
      if (isNew !== undefined) expect(emails[0]!.model).toMatchObject({ isNew });
    }
  });

  it('tier.changed from a one-time license (no subscription) says so to the template', async () => {
    const { deps, emails } = fakes();
    await handleTierChanged(tier('FREE', 'PRO', null), deps);
    expect(emails[0]!.model).toMatchObject({ isNew: true, isSubscription: false });
  });

  it('an SMTP failure is a retry, after the webhook was queued', async () => {
    const { deps, webhooks } = fakes({ sendResult: { status: 'failed', error: '451 try again later' } });
    expect(await handleTierChanged(tier('FREE', 'PRO'), deps)).toEqual({
      status: 'retry',
      reason: 'smtp: 451 try again later',
    });
    expect(webhooks).toHaveLength(1);
  });

  it('payment.recorded: a receipt only for renewals', async () => {
    for (const [billingReason, emailsSent] of [
      ['subscription_cycle', 1],
      ['subscription_create', 0],
      [null, 0],
    ] as const) {
      const { deps, emails, webhooks } = fakes();
      const event = envelope(PAYMENT_RECORDED_V1, `orders.payment.recorded:${billingReason}`, {
        paymentId: 'pay_1',
        orderId: 'ord_1',
        customerEmail: 'ada@example.com',
        source: 'invoice',
        invoiceId: 'in_1',
        paymentIntentId: null,
        subscriptionId: 'sub_1',
        billingReason,
        amount: 100,
        currency: 'usd',
        periodEnd: null,
        receiptUrl: null,
        paidAt: '2026-01-01T00:00:00.000Z',
      });
      expect(await handlePaymentRecorded(event, deps)).toEqual({ status: 'done' });
      expect(emails).toHaveLength(emailsSent);
      expect(webhooks.map((w) => w.type)).toEqual(['payment.succeeded']);
    }
  });

  it('order.licensed waits (retry) for the order snapshot and then sends nothing before it exists', async () => {
    const { deps, emails, webhooks } = fakes({ order: null });
    const event = envelope(ORDER_LICENSED_V1, 'licensing.order.licensed:ord_1', {
      orderId: 'ord_1',
      customerEmail: 'ada@example.com',
      subscriptionId: null,
      licenses: [],
    });
    expect(await handleOrderLicensed(event, deps)).toMatchObject({ status: 'retry' });
    expect(emails).toHaveLength(0);
    expect(webhooks).toHaveLength(0);
  });
});
