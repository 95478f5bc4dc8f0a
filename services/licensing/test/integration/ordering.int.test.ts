import { ORDER_CONFIRMED_V1, makeEnvelope, type OrderSnapshotV1 } from '@billing/contracts';
import { orderConfirmed, orderLine, orderSnapshot, stripeFixtures as fx, waitFor } from '@billing/testkit';
import { adminHeaders, entitlements, type LicensingContext, useLicensing, verify } from './harness';
import { createLogger, type HandlerContext, type OutboxEvent } from '@billing/runtime';
import { licensingHandlerDeps } from '../../src/app';
import { SubscriptionRepository } from '../../src/db/subscription.repository';
import { handleOrderConfirmed } from '../../src/handlers/order-confirmed.handler';
import { handleSubscriptionEvent } from '../../src/handlers/subscription-event.handler';
import { loadSigner } from '../../src/signing';
import { snapshotOf } from '../../src/domain/stripe-subscription';
import type { SubscriptionEventKind } from '../../src/domain/subscription-state';

type Purchase = ReturnType<typeof fx.subscriptionPurchase<'basil'>>;

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

function orderOf(purchase: Purchase, quantity = 1) {
  const item = purchase.lineItems.data[0]!;
  return orderSnapshot({
    orderId: `ord_${purchase.session.id}`,
    checkoutSessionId: purchase.session.id,
    customerEmail: purchase.email,
    stripeCustomerId: purchase.customerId,
    mode: 'subscription',
    subscriptionId: purchase.subscription.id,
    currentPeriodEnd: new Date(purchase.subscription.items.data[0]!.current_period_end! * 1000).toISOString(),
    lines: [orderLine({ ...item, quantity, amount_total: item.amount_total * quantity }, 'subscription')],
  });
}

async function confirm(h: LicensingContext, purchase: Purchase, msgId?: string, quantity = 1) {
  const order = orderOf(purchase, quantity);
  await h.publishEnvelope(
    ORDER_CONFIRMED_V1,
    { id: `orders.order.confirmed:${order.orderId}`, payload: { order } },
    msgId,
  );
  return order;
}

async function licensedKeys(h: LicensingContext, orderId: string): Promise<string[]> {
  const event = await h.events.waitFor(`licensing.order.licensed:${orderId}`);
  return (event.payload as { licenses: Array<{ key: string }> }).licenses.map((l) => l.key);
}

/** `orders.order.confirmed` for the order, as the orders service publishes it, caused by `eventId`. */
function confirmation(order: OrderSnapshotV1, eventId: string) {
  return makeEnvelope(ORDER_CONFIRMED_V1, {
    ...orderConfirmed(order),
    correlationId: eventId,
    causationId: eventId,
  });
}

/** The handlers' dependencies on the harness's database, publishing into a list instead of NATS. */
function directHandlers(h: LicensingContext) {
  const logger = createLogger({ service: 'test', version: 'test', level: 'silent' });
  const emitted: OutboxEvent[] = [];
  const deps = licensingHandlerDeps({
    db: h.infra.db,
    config: h.config,
    events: { emit: async (items) => void emitted.push(...items) },
    signer: loadSigner(h.config, logger),
    clock: () => new Date(),
  });
  const ctx = (id: string): HandlerContext => ({
    messageId: id,
    correlationId: id,
    subject: 'test',
    deliveryCount: 1,
    logger,
  });
  return { deps, emitted, ctx };
}

describe('subscription events in any order, and duplicates', () => {
  const h = useLicensing();

  it('converges to revoked and FREE for every order of created, updated and deleted', async () => {
    const cases = permutations(['created', 'updated', 'deleted'] as const).map((order, i) => {
      const purchase = fx.subscriptionPurchase({ email: `order-${i}@example.com`, tier: 'pro' });
      const events = {
        created: purchase.events.subscriptionCreated,
        updated: fx.pastDue(purchase).events.subscriptionUpdated,
        deleted: fx.cancellation(fx.pastDue(purchase)).events.subscriptionDeleted,
      };
      return { order, purchase, events };
    });
    for (const c of cases) await confirm(h, c.purchase);
    // Orders first, so the customers' emails are known and no Stripe event waits for a retry.
    const keys = await Promise.all(cases.map((c) => licensedKeys(h, `ord_${c.purchase.session.id}`)));
    for (const c of cases) for (const kind of c.order) await h.publishStripeEvent(c.events[kind]);

    for (const [i, c] of cases.entries()) {
      const [key] = keys[i]!;
      await waitFor(async () => (await verify(h, key!)).code === 'REVOKED', {
        what: `${c.order.join(',')} revoked`,
      });
      await h.events.waitFor(`licensing.subscription.cancelled:${c.purchase.subscription.id}`);
      await h.events.waitFor(`licensing.subscription.created:${c.purchase.subscription.id}`);
      expect(await entitlements(h, c.purchase.email)).toMatchObject({
        tier: 'FREE',
        licenses: [{ status: 'revoked' }],
      });
    }
    const events = await h.events.envelopes();
    for (const c of cases) {
      const mine = events.filter(
        (e) => (e.payload as { customerEmail?: string }).customerEmail === c.purchase.email,
      );
      const tiers = mine
        .filter((e) => e.type === 'licensing.tier.changed')
        .map((e) => (e.payload as { tier: string }).tier);
      // Whatever was announced on the way, the last word is FREE (or nothing was ever announced).
      expect(tiers.length === 0 || tiers.at(-1) === 'FREE').toBe(true);
      expect(mine.filter((e) => e.type === 'licensing.licenses.revoked')).toHaveLength(1);
      expect(mine.filter((e) => e.type === 'licensing.subscription.cancelled')).toHaveLength(1);
    }
  });

  it('converges to active PREMIUM for every order of created, past_due and a later upgrade', async () => {
    const cases = permutations(['created', 'pastDue', 'upgraded'] as const).map((order, i) => {
      const purchase = fx.subscriptionPurchase({ email: `upgrade-${i}@example.com`, tier: 'pro' });
      const pastDue = fx.pastDue(purchase);
      const events = {
        created: purchase.events.subscriptionCreated,
        pastDue: pastDue.events.subscriptionUpdated,
        upgraded: fx.planChange(fx.reactivated(pastDue), { tier: 'premium' }).events.subscriptionUpdated,
      };
      return { order, purchase, events };
    });
    for (const c of cases) await confirm(h, c.purchase);
    // Orders first, so the customers' emails are known and no Stripe event waits for a retry.
    const keys = await Promise.all(cases.map((c) => licensedKeys(h, `ord_${c.purchase.session.id}`)));
    for (const c of cases) for (const kind of c.order) await h.publishStripeEvent(c.events[kind]);

    for (const [i, c] of cases.entries()) {
      const [key] = keys[i]!;
      await waitFor(async () => (await entitlements(h, c.purchase.email)).tier === 'PREMIUM', {
        what: 'PREMIUM',
      });
      expect(await verify(h, key!)).toMatchObject({ code: 'VALID', status: 'active', tier: 'PREMIUM' });
    }
    // The tier announced last converges too (announcements are published after the state is stored).
    const lastTier = async (email: string) =>
      (await h.events.envelopes('licensing.tier.changed.v1'))
        .map((e) => e.payload as { customerEmail: string; tier: string })
        .filter((t) => t.customerEmail === email)
        .at(-1)?.tier;
    for (const c of cases) {
      await waitFor(async () => (await lastTier(c.purchase.email)) === 'PREMIUM', {
        what: `${c.order.join(',')} PREMIUM announced`,
      });
      await h.events.waitFor(`licensing.subscription.created:${c.purchase.subscription.id}`);
    }
  });

  it('keeps updates that arrive before the order and applies them to the licenses issued later', async () => {
    const purchase = fx.subscriptionPurchase({ email: 'early@example.com', tier: 'pro' });
    const pastDue = fx.pastDue(purchase);
    await h.publishStripeEvent(purchase.events.subscriptionCreated);
    await h.publishStripeEvent(pastDue.events.subscriptionUpdated);
    // Both are stored (and waiting for the customer's email) before the order exists.
    const facts = h.infra.db.collection('subscription_facts');
    await waitFor(
      async () => (await facts.countDocuments({ subscriptionId: purchase.subscription.id })) === 2,
    );
    await confirm(h, purchase);
    const licensed = await h.events.waitFor(`licensing.order.licensed:ord_${purchase.session.id}`);
    expect((licensed.payload as { licenses: Array<{ status: string }> }).licenses).toEqual([
      expect.objectContaining({ status: 'suspended', tier: 'PRO' }),
    ]);
    // Once the email is known the held-back Stripe events are announced too (on their retry).
    await h.events.waitFor(`licensing.subscription.created:${purchase.subscription.id}`, 40_000);
    await h.events.waitFor(`licensing.subscription.updated:${pastDue.events.subscriptionUpdated.id}`, 40_000);
  });

  it('issues one license per unit exactly once, however often and concurrently the order is delivered', async () => {
    const purchase = fx.subscriptionPurchase({ email: 'dup@example.com', tier: 'pro' });
    // Redeliveries after JetStream's duplicate window carry other message ids.
    await Promise.all(['a', 'b', 'c', 'd'].map((copy) => confirm(h, purchase, `copy-${copy}`, 3)));
    const orderId = `ord_${purchase.session.id}`;
    const keys = await licensedKeys(h, orderId);
    expect(keys).toHaveLength(3);
    await h.settled();

    const res = await h.service.http.inject({
      method: 'GET',
      url: `/licenses?orderId=${orderId}`,
      headers: adminHeaders,
    });
    const listed = (res.json() as { licenses: Array<{ key: string }> }).licenses.map((l) => l.key);
    expect(listed.sort()).toEqual([...keys].sort());
    const licensed = (await h.events.envelopes('licensing.order.licensed.v1')).filter(
      (e) => e.id === `licensing.order.licensed:${orderId}`,
    );
    expect(licensed).toHaveLength(1);

    // The same Stripe deletion delivered twice revokes and announces once.
    const deleted = fx.cancellation(purchase).events.subscriptionDeleted;
    await h.publishStripeEvent(deleted);
    await h.publishStripeEvent(deleted, `${deleted.id}-again`);
    await h.events.waitFor(`licensing.licenses.revoked:${deleted.id}`);
    await h.settled();
    const revoked = (await h.events.envelopes('licensing.licenses.revoked.v1')).filter((e) =>
      e.id.endsWith(deleted.id),
    );
    expect(revoked).toHaveLength(1);
    expect((revoked[0]!.payload as { licenses: unknown[] }).licenses).toHaveLength(3);
  });

  it('judges each fact of a subscription against the one before it, however many replicas apply them at once', async () => {
    const purchase = fx.subscriptionPurchase({ email: 'replicas@example.com', tier: 'pro' });
    const pastDue = fx.pastDue(purchase);
    const recovered = fx.reactivated(pastDue);
    const upgraded = fx.planChange(recovered, { tier: 'premium' });
    const events = [
      purchase.events.subscriptionCreated,
      pastDue.events.subscriptionUpdated,
      recovered.events.subscriptionUpdated,
      upgraded.events.subscriptionUpdated,
      fx.cancellation(upgraded).events.subscriptionDeleted,
    ];
    const facts = events.map((e) => ({
      eventId: e.id,
      kind: e.type.split('.').at(-1) as SubscriptionEventKind,
      created: e.created,
      snapshot: snapshotOf(e.data.object),
      subscriptionId: purchase.subscription.id,
    }));
    // Three replicas, each given every event, all at once and in its own order.
    const replicas = [0, 1, 2].map(() => new SubscriptionRepository(h.infra.db));
    const decided = await Promise.all(
      replicas.flatMap((repo) =>
        [...facts]
          .sort(() => Math.random() - 0.5)
          .map(async (fact) => ({
            eventId: fact.eventId,
            previous: await repo.previousOf(fact, new Date()),
          })),
      ),
    );
    // A fact is judged once: every delivery of it gets the same previous state.
    for (const fact of facts) {
      const seen = decided.filter((d) => d.eventId === fact.eventId).map((d) => JSON.stringify(d.previous));
      expect(new Set(seen).size).toBe(1);
    }
    // And the judgements form one chain: each fact's previous state is what the one before it left.
    const links = await h.infra.db
      .collection('subscription_links')
      .find({ subscriptionId: purchase.subscription.id })
      .sort({ position: 1 })
      .toArray();
    expect(links.map((l) => l.position)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(links.map((l) => l.eventId)).size).toBe(5);
    expect(links[0]!.previous).toBeNull();
    for (let i = 1; i < links.length; i++) expect(links[i]!.previous).toEqual(links[i - 1]!.state);
    expect(links.at(-1)!.state).toMatchObject({ deleted: true, status: 'canceled' });
  });

  it('does not announce an update that waited while a later one was applied: it is no longer true', async () => {
    const purchase = fx.subscriptionPurchase({ email: 'waited@example.com', tier: 'pro' });
    const pastDue = fx.pastDue(purchase);
    const back = fx.reactivated(pastDue);
    await confirm(h, purchase);
    await licensedKeys(h, `ord_${purchase.session.id}`);
    // The handlers called directly, as a replica would, publishing into a list.
    const { deps, emitted, ctx } = directHandlers(h);
    const handle = (event: typeof back.events.subscriptionUpdated, d = deps) =>
      handleSubscriptionEvent(event.type.split('.').at(-1) as 'updated', event as never, d, ctx(event.id));
    await handle(purchase.events.subscriptionCreated as never);

    // past_due is applied (its link taken) but its message waits for a retry (email unknown)...
    const waiting = {
      ...deps,
      customers: { ...deps.customers, emailOf: async () => null },
      licenses: { bySubscription: async () => [] },
    } as unknown as typeof deps;
    expect(await handle(pastDue.events.subscriptionUpdated, waiting)).toMatchObject({ status: 'retry' });
    // ... while the recovery is applied and announced.
    await handle(back.events.subscriptionUpdated);
    const types = () => emitted.map((e) => `${e.definition.type}:${e.input.id.split(':').at(-1)}`);
    expect(types()).toContain(`licensing.subscription.updated:${back.events.subscriptionUpdated.id}`);

    // Redelivered now, past_due would say "suspended" after "active": it announces nothing.
    emitted.length = 0;
    expect(await handle(pastDue.events.subscriptionUpdated)).toMatchObject({ status: 'done' });
    expect(emitted.map((e) => e.definition.type)).not.toContain('licensing.subscription.updated');
    expect(emitted.map((e) => e.definition.type)).not.toContain('licensing.licenses.suspended');
  });

  it('announces a revocation once when the deletion is applied while the order is being licensed', async () => {
    const purchase = fx.subscriptionPurchase({ email: 'racing@example.com', tier: 'pro' });
    const deleted = fx.cancellation(purchase);
    const { deps, emitted, ctx } = directHandlers(h);
    // The order's handler has issued the license and is about to read it back when another
    // replica applies the deletion, sees the license and revokes it.
    let deletionApplied = false;
    const racing = {
      ...deps,
      views: Object.assign(Object.create(deps.views) as typeof deps.views, {
        view: async (...args: Parameters<typeof deps.views.view>) => {
          if (!deletionApplied) {
            deletionApplied = true;
            const event = deleted.events.subscriptionDeleted!;
            expect(
              await handleSubscriptionEvent('deleted', event as never, deps, ctx(event.id)),
            ).toMatchObject({
              status: 'done',
            });
          }
          return deps.views.view(...args);
        },
      }),
    };
    const order = orderOf(purchase);
    const envelope = confirmation(order, 'evt_racing');
    expect(await handleOrderConfirmed(envelope, racing, ctx(envelope.id))).toMatchObject({
      status: 'done',
    });
    expect(deletionApplied).toBe(true);

    type Licenses = { licenses: Array<{ licenseId: string; status: string }> };
    const payloadsOf = (type: string) =>
      emitted.filter((e) => e.definition.type === type).map((e) => e.input.payload as Licenses);
    const [licensed] = payloadsOf('licensing.order.licensed');
    const license = licensed!.licenses[0]!;
    const revokedEvents = payloadsOf('licensing.licenses.revoked').flatMap((p) => p.licenses);
    // Either the revocation follows the license issued active, or the license is issued revoked.
    const announcements =
      revokedEvents.filter((l) => l.licenseId === license.licenseId).length +
      (license.status === 'revoked' ? 1 : 0);
    expect(announcements).toBe(1);
  });

  it('announces a revocation once when the order is delivered again after the deletion revoked its license', async () => {
    const purchase = fx.subscriptionPurchase({ email: 'redelivered@example.com', tier: 'pro' });
    const deleted = fx.cancellation(purchase);
    const { deps, emitted, ctx } = directHandlers(h);
    const order = orderOf(purchase);
    const envelope = confirmation(order, 'evt_redelivered');
    // The first delivery issues the license, then its process dies before announcing it.
    const crashing = {
      ...deps,
      announcer: { emitWithTierChange: () => Promise.reject(new Error('killed')) },
    };
    await expect(handleOrderConfirmed(envelope, crashing, ctx(envelope.id))).rejects.toThrow('killed');
    // Meanwhile the deletion is applied: it sees the license and announces its revocation.
    const event = deleted.events.subscriptionDeleted!;
    expect(await handleSubscriptionEvent('deleted', event as never, deps, ctx(event.id))).toMatchObject({
      status: 'done',
    });
    // The order's message is delivered again.
    expect(await handleOrderConfirmed(envelope, deps, ctx(envelope.id))).toMatchObject({
      status: 'done',
    });

    type Licenses = { licenses: Array<{ licenseId: string; status: string }> };
    const payloadsOf = (type: string) =>
      emitted.filter((e) => e.definition.type === type).map((e) => e.input.payload as Licenses);
    const [licensed] = payloadsOf('licensing.order.licensed');
    const license = licensed!.licenses[0]!;
    const revoked = payloadsOf('licensing.licenses.revoked').flatMap((p) => p.licenses);
    expect(revoked.map((l) => l.licenseId)).toEqual([license.licenseId]);
    // Announced as it was issued, before the deletion: the revocation follows it.
    expect(license.status).toBe('active');
  });
});
