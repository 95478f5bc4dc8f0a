import { PermanentError } from '@billing/runtime';
import { normalizeTier } from './tiers';

/** The plan a subscription is on: what licensing compares to detect a plan change. */
export interface PlanRef {
  priceId: string | null;
  productId: string | null;
  tier: string | null;
}

/** What licensing keeps of a Stripe subscription object. */
export interface SubscriptionSnapshot extends PlanRef {
  subscriptionId: string;
  stripeCustomerId: string | null;
  status: string;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const idOf = (v: unknown): string | null =>
  typeof v === 'string' ? v : isObj(v) && typeof v.id === 'string' ? v.id : null;
const unixToDate = (v: unknown): Date | null => (typeof v === 'number' && v > 0 ? new Date(v * 1000) : null);

/**
 * Reads a `customer.subscription.*` object in the current (basil: period on each item) or a legacy
 * shape (period and `plan` also at the top level). The tier is the `tier` metadata of the item's
 * price (or, in legacy payloads, its plan).
 * @see https://docs.stripe.com/changelog/basil/2025-03-31/deprecate-subscription-current-period-start-and-end
 */
export function snapshotOf(object: unknown): SubscriptionSnapshot {
  if (!isObj(object) || object.object !== 'subscription' || typeof object.id !== 'string') {
    throw new PermanentError('event object is not a subscription');
  }
  const items = itemsOf(object.items);
  const plan = planOfItems(items) ?? planOfPriceLike(object.plan);
  const itemPeriodEnds = items
    .map((item) => unixToDate(item.current_period_end))
    .filter((d): d is Date => d !== null);
  const periodEnd =
    itemPeriodEnds.length > 0
      ? new Date(Math.max(...itemPeriodEnds.map((d) => d.getTime())))
      : unixToDate(object.current_period_end);
  return {
    subscriptionId: object.id,
    stripeCustomerId: idOf(object.customer),
    status: typeof object.status === 'string' ? object.status : 'unknown',
    priceId: plan?.priceId ?? null,
    productId: plan?.productId ?? null,
    tier: plan?.tier ?? null,
    currentPeriodEnd: periodEnd,
    cancelAtPeriodEnd: object.cancel_at_period_end === true,
  };
}

/**
 * The plan before an update, from `previous_attributes` (`items` in every shape, `plan` in legacy
 * ones); null when the update did not touch them.
 */
export function previousPlanOf(previousAttributes: unknown): PlanRef | null {
  if (!isObj(previousAttributes)) return null;
  if ('items' in previousAttributes) {
    const plan = planOfItems(itemsOf(previousAttributes.items));
    if (plan) return plan;
  }
  if ('plan' in previousAttributes) return planOfPriceLike(previousAttributes.plan);
  return null;
}

/** Price, product or tier differ. */
export function planDiffers(a: PlanRef, b: PlanRef): boolean {
  return a.priceId !== b.priceId || a.productId !== b.productId || a.tier !== b.tier;
}

function itemsOf(items: unknown): Obj[] {
  if (!isObj(items) || !Array.isArray(items.data)) return [];
  return items.data.filter(isObj);
}

/** The item that carries a tier (a subscription may add items without one, e.g. seats add-ons). */
function planOfItems(items: Obj[]): PlanRef | null {
  const plans = items.map((item) => planOfPriceLike(item.price) ?? planOfPriceLike(item.plan));
  return plans.find((p) => p?.tier) ?? plans.find((p) => p !== null) ?? null;
}

function planOfPriceLike(value: unknown): PlanRef | null {
  if (!isObj(value) || typeof value.id !== 'string') return null;
  const metadata = isObj(value.metadata) ? value.metadata : {};
  return { priceId: value.id, productId: idOf(value.product), tier: normalizeTier(metadata.tier) };
}
