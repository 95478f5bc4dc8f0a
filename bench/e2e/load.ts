import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { preciseNow, signStripePayload, stripeFixtures as sf, type FakeStripe } from '@billing/testkit';

/**
 * The product every benchmark checkout buys: a licensed digital product with a tier, mapped in
 * the orders catalog (by price id), in licensing's product config, and in the baseline.
 */
export const BENCH_PRODUCT = {
  sku: 'BENCH-PRO-LIFETIME',
  name: 'Pro license (lifetime)',
  kind: 'digital',
  tier: 'pro',
  downloadUrl: 'https://downloads.example.com/pro/latest',
  priceId: 'price_1BenchProLifetime0000000',
  productId: 'prod_BenchProLifetime',
  unitAmount: 4900,
} as const;

/** The Stripe-facing route of the gateway (and of the baseline). */
export const WEBHOOK_PATH = '/api/billing/webhooks';

export interface Checkout {
  email: string;
  purchase: sf.OneTimePurchase<'basil'>;
  /** Its events (charge.succeeded, payment_intent.succeeded, checkout.session.completed) as JSON. */
  bodies: string[];
}

/** One POST: an event of a checkout, signed just before its phase. */
export interface Delivery {
  checkout: number;
  body: string;
  signature: string;
}

export interface PostRecord {
  checkout: number;
  /** When the POST was due (paced) or handed to the connection pool (burst), epoch ms. */
  sentAt: number;
  answeredAt: number;
  /** HTTP status, or 0 for a network error. */
  status: number;
}

/** `count` paid one-time checkouts, each with its own customer email. */
export function buildCheckouts(count: number, tag: string): Checkout[] {
  const run = randomBytes(3).toString('hex');
  return Array.from({ length: count }, (_, i) => {
    const purchase = sf.oneTimePurchase({
      email: `${tag}-${run}-${i}@bench.example.com`,
      lines: [
        {
          priceId: BENCH_PRODUCT.priceId,
          productId: BENCH_PRODUCT.productId,
          productName: BENCH_PRODUCT.name,
          unitAmount: BENCH_PRODUCT.unitAmount,
          metadata: { sku: BENCH_PRODUCT.sku, tier: BENCH_PRODUCT.tier },
        },
      ],
    });
    return { email: purchase.email, purchase, bodies: purchase.ordered.map((e) => JSON.stringify(e)) };
  });
}

/** Puts each checkout's line items (and the product once) into the fake Stripe API. */
export function stubCheckouts(fake: FakeStripe, checkouts: readonly Checkout[]): void {
  for (const { purchase } of checkouts) fake.setLineItems(purchase.session.id, purchase.lineItems.data);
  const product = checkouts[0]?.purchase.products[0];
  if (product) fake.put(product as unknown as { id: string; object: string });
}

/** A deterministic shuffle (LCG), so runs post in comparable orders. */
function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed;
  for (let i = items.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const twice = (checkouts: readonly Checkout[], i: number) =>
  checkouts[i]!.bodies.flatMap((body) => [body, body]).map((body) => ({ checkout: i, body, signature: '' }));

/** Burst: every event of every checkout twice, all shuffled together. */
export function burstDeliveries(checkouts: readonly Checkout[]): Delivery[] {
  return shuffle(
    checkouts.flatMap((_, i) => twice(checkouts, i)),
    42,
  );
}

/** Paced: checkout after checkout, each one's deliveries (every event twice) shuffled among themselves. */
export function pacedDeliveries(checkouts: readonly Checkout[]): Delivery[] {
  return checkouts.flatMap((_, i) => shuffle(twice(checkouts, i), 7 + i));
}

/** Signs every delivery now; the phase must start within the receiver's tolerance. */
export function signAll(deliveries: Delivery[], secret: string): void {
  for (const d of deliveries) d.signature = signStripePayload(d.body, secret);
}

/** Keep-alive connections to a Stripe-facing endpoint. */
export function connectionPool(url: string, connections: number): Pool {
  return new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
}

async function post(pool: Pool, delivery: Delivery, sentAt: number): Promise<PostRecord> {
  try {
    const res = await pool.request({
      method: 'POST',
      path: WEBHOOK_PATH,
      headers: { 'content-type': 'application/json', 'stripe-signature': delivery.signature },
      body: delivery.body,
    });
    await res.body.dump();
    return { checkout: delivery.checkout, sentAt, answeredAt: preciseNow(), status: res.statusCode };
  } catch {
    return { checkout: delivery.checkout, sentAt, answeredAt: preciseNow(), status: 0 };
  }
}

/** Closed loop: `connections` senders, each posting its next delivery as soon as the last is answered. */
export async function postBurst(pool: Pool, deliveries: readonly Delivery[], connections: number) {
  const records: PostRecord[] = [];
  let next = 0;
  const sender = async () => {
    while (next < deliveries.length) {
      const delivery = deliveries[next++]!;
      records.push(await post(pool, delivery, preciseNow()));
    }
  };
  await Promise.all(Array.from({ length: connections }, sender));
  return records;
}

/**
 * Open loop: delivery n is due at start + n / postsPerSecond and is sent then, whatever is still
 * unanswered (requests beyond the pool's connections wait in its queue). Latency counts from the
 * due time, so a slow system cannot hide its queueing (no coordinated omission).
 */
export async function postPaced(pool: Pool, deliveries: readonly Delivery[], postsPerSecond: number) {
  const intervalMs = 1000 / postsPerSecond;
  const start = preciseNow() + 20;
  const pending: Array<Promise<PostRecord>> = [];
  let next = 0;
  while (next < deliveries.length) {
    while (next < deliveries.length && start + next * intervalMs <= preciseNow()) {
      pending.push(post(pool, deliveries[next]!, start + next * intervalMs));
      next += 1;
    }
    const wait = start + next * intervalMs - preciseNow();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return Promise.all(pending);
}
