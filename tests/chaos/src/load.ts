import { postStripeEvent, stubStripe, type FakeStripe } from '@billing/testkit';
import { shuffle, type Scenario } from './workload';

/** What the load generator saw: POSTs made, retried after an error answer, and refused for good. */
export interface LoadStats {
  posts: number;
  retries: number;
  /** Answers that Stripe would not retry (4xx): each is a failure of the run. */
  refused: Array<{ eventId: string; status: number }>;
}

const COPIES = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Posts one event until the gateway answers 200, as Stripe does: a refused connection or a 5xx
 * is tried again with a growing delay (capped at 5 s); a 4xx is recorded and not retried.
 */
async function deliver(gateway: string, secret: string, event: { id: string }, stats: LoadStats) {
  for (let attempt = 0; ; attempt++) {
    stats.posts += 1;
    const status = await postStripeEvent(gateway, secret, event).catch(() => 0);
    if (status === 200) return;
    if (status >= 400 && status < 500) {
      stats.refused.push({ eventId: event.id, status });
      return;
    }
    stats.retries += 1;
    await sleep(Math.min(5000, 100 * 2 ** attempt));
  }
}

/**
 * Plays every scenario, spread evenly over `spreadMs`: stage after stage (the Stripe objects of a
 * stage become retrievable from the fake Stripe API first), each stage's events posted
 * `COPIES` times each, all at once, in shuffled order.
 */
export async function runLoad(
  scenarios: readonly Scenario[],
  options: { gateway: string; secret: string; fake: FakeStripe; spreadMs: number },
  stats: LoadStats,
): Promise<void> {
  const started = Date.now();
  const gap = options.spreadMs / Math.max(scenarios.length, 1);
  await Promise.all(
    scenarios.map(async (scenario, i) => {
      await sleep(Math.max(0, started + i * gap - Date.now()));
      for (const stage of scenario.stages) {
        stubStripe(options.fake, stage.step);
        const copies = shuffle(stage.events.flatMap((event) => Array.from({ length: COPIES }, () => event)));
        await Promise.all(copies.map((event) => deliver(options.gateway, options.secret, event, stats)));
      }
    }),
  );
}
