import { stripeFixtures as sf, type StubbableStep } from '@billing/testkit';

type AnyEvent = { id: string; type: string; created: number; data: { object: unknown } };

/** One step of a customer's story: the Stripe objects it makes retrievable and its events. */
export interface Stage {
  step: StubbableStep;
  events: AnyEvent[];
}

/** One customer: a one-time checkout, or a subscription from checkout to cancellation. */
export interface Scenario {
  kind: 'checkout' | 'subscription';
  email: string;
  stages: Stage[];
  /** The invoices a subscription pays (each is one payment). */
  paidInvoices: number;
}

const stage = (step: StubbableStep & { ordered: AnyEvent[] }): Stage => ({ step, events: step.ordered });

/** A one-time purchase of a lifetime PRO license: one order, one payment, one license, PRO tier. */
export function checkoutScenario(run: string, i: number): Scenario {
  const email = `checkout-${i}.${run}@example.com`;
  const purchase = sf.oneTimePurchase({
    email,
    lines: [{ quantity: 1, unitAmount: 4900, metadata: { sku: 'PRO-LIFETIME', tier: 'pro' } }],
  });
  return { kind: 'checkout', email, stages: [stage(purchase)], paidInvoices: 0 };
}

/**
 * A subscription's life: checkout (session completed, subscription created, first invoice paid),
 * a failed renewal (past_due), its recovery, a plan change to PREMIUM, a renewal, cancellation.
 */
export function subscriptionScenario(run: string, i: number): Scenario {
  const email = `subscriber-${i}.${run}@example.com`;
  const purchase = sf.subscriptionPurchase({ email, tier: 'pro' });
  const due = sf.pastDue(purchase);
  const back = sf.reactivated(due);
  const upgraded = sf.planChange(back, { tier: 'premium' });
  const renewed = sf.renewal(upgraded);
  const cancelled = sf.cancellation(renewed);
  const stages = [purchase, due, back, upgraded, renewed, cancelled].map(stage);
  const paid = new Set(
    stages
      .flatMap((s) => s.events)
      .filter((e) => e.type === 'invoice.paid')
      .map((e) => (e.data.object as { id: string }).id),
  );
  return { kind: 'subscription', email, stages, paidInvoices: paid.size };
}

/** Fisher-Yates with Math.random: each run delivers in a new order. */
export function shuffle<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
