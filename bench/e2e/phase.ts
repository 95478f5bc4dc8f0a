import { preciseNow } from '@billing/testkit';
import { countEffects, EffectWatch, type EffectCounts } from './effects';
import {
  buildCheckouts,
  burstDeliveries,
  connectionPool,
  pacedDeliveries,
  postBurst,
  postPaced,
  signAll,
  stubCheckouts,
  type PostRecord,
} from './load';
import { PhaseMeter, type ProcessUsage } from './meter';
import { countsBetween, messageCountsByName, outstandingMessages, type MessageCounts } from './nats-monitor';
import { collectionBreakdown, commandsBetween, databaseTotal } from './store-stats';
import type { Shared, Target } from './targets';

export type PhaseKind = 'burst' | 'paced';

export interface Percentiles {
  p50: number;
  p99: number;
}

export interface PhaseResult {
  phase: PhaseKind;
  checkouts: number;
  posts: number;
  non2xx: number;
  /** Every checkout got both effects before the timeout. */
  complete: boolean;
  /** The target finished all the work the phase caused (nothing left in its consumers) before counting. */
  settled: boolean;
  /** First POST until every checkout's effects existed. */
  seconds: number | null;
  checkoutsPerSecond: number | null;
  /** Stripe-facing: POST (due time, when paced) to the HTTP answer, ms. */
  postLatency: Percentiles;
  /** A checkout's first POST to its checkout.completed webhook / purchase email, ms. */
  webhookLatency: Percentiles | null;
  emailLatency: Percentiles | null;
  effects: EffectCounts;
  processes: Array<ProcessUsage & { cpuMsPerCheckout: number }>;
  cpuMsPerCheckout: number;
  /** NATS messages per checkout by connection name (= service); null without NATS. */
  natsPerCheckout: Record<string, MessageCounts> | null;
  /** Store commands per checkout by database label; null when the store cannot tell. */
  storeCommandsPerCheckout: Record<string, number> | null;
  /** Per database label, the commands per checkout of each collection by kind. */
  storeCommandsByCollection: Record<string, string> | null;
}

/** Nearest-rank percentiles of the given values. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Latencies from each checkout's first POST to an effect; null unless every checkout has it. */
function effectLatency(firstPost: number[], arrivals: Array<number | undefined>): Percentiles | null {
  const values: number[] = [];
  for (let i = 0; i < firstPost.length; i++) {
    const at = arrivals[i];
    if (at === undefined) return null;
    values.push(at - firstPost[i]!);
  }
  return percentiles(values);
}

async function natsCounts(target: Target) {
  return target.natsMonitorUrl ? messageCountsByName(target.natsMonitorUrl) : null;
}

/**
 * One phase against one target: fresh checkouts, stubbed in the fake Stripe and signed before the
 * clock starts; then the posts; then the wait for every checkout's effects (the sustained
 * throughput), and until the target has settled (so late effects and duplicates are counted).
 * CPU, memory, NATS and store counters are read around all of it: work the phase caused after its
 * last effect (an event retried until its order exists) is part of its cost.
 */
export async function runPhase(
  kind: PhaseKind,
  count: number,
  target: Target,
  shared: Shared,
  settings: { connections: number; rate: number; timeoutSeconds: number; quietSeconds: number },
): Promise<PhaseResult> {
  const checkouts = buildCheckouts(count, `${target.name.replace(/\W+/g, '-')}-${kind}`);
  stubCheckouts(shared.fake, checkouts);
  const deliveries = kind === 'burst' ? burstDeliveries(checkouts) : pacedDeliveries(checkouts);
  const pool = connectionPool(target.url, settings.connections);
  const watch = new EffectWatch(shared.receiver, shared.sink, checkouts);
  const meter = new PhaseMeter(target.processes);
  const [natsBefore, commandsBefore] = [await natsCounts(target), await target.commands.read()];
  signAll(deliveries, target.webhookSecret);

  meter.start();
  const postsPerSecond = settings.rate * (deliveries.length / count);
  const records: PostRecord[] =
    kind === 'burst'
      ? await postBurst(pool, deliveries, settings.connections)
      : await postPaced(pool, deliveries, postsPerSecond);
  const firstPost = new Array<number>(count).fill(Infinity);
  for (const r of records) firstPost[r.checkout] = Math.min(firstPost[r.checkout]!, r.sentAt);
  const started = firstPost.reduce((a, b) => Math.min(a, b), Infinity);
  const remainingMs = settings.timeoutSeconds * 1000 - (preciseNow() - started);
  const complete = await watch.untilComplete(Math.max(0, remainingMs));
  const lastEffect = watch.lastEffectAt();
  const monitorUrl = target.natsMonitorUrl;
  const outstanding = monitorUrl ? () => outstandingMessages(monitorUrl) : async () => 0;
  const settleMs = Math.max(60_000, settings.timeoutSeconds * 1000 - (preciseNow() - started));
  const settled = await watch.untilSettled(settings.quietSeconds * 1000, settleMs, outstanding);
  const usage = meter.stop();
  const [natsAfter, commandsAfter] = [await natsCounts(target), await target.commands.read()];
  await pool.close();

  const perCheckout = (value: number) => value / count;
  const seconds = complete && lastEffect !== undefined ? (lastEffect - started) / 1000 : null;
  const nats = natsBefore && natsAfter ? countsBetween(natsBefore, natsAfter) : null;
  const commands = commandsBetween(commandsBefore, commandsAfter);
  return {
    phase: kind,
    checkouts: count,
    posts: records.length,
    non2xx: records.filter((r) => r.status < 200 || r.status > 299).length,
    complete,
    settled,
    seconds,
    checkoutsPerSecond: seconds ? count / seconds : null,
    postLatency: percentiles(records.map((r) => r.answeredAt - r.sentAt)),
    webhookLatency: effectLatency(firstPost, watch.webhookAt),
    emailLatency: effectLatency(firstPost, watch.emailAt),
    effects: countEffects(watch),
    processes: usage.map((u) => ({ ...u, cpuMsPerCheckout: perCheckout(u.cpuMs) })),
    cpuMsPerCheckout: perCheckout(usage.reduce((sum, u) => sum + u.cpuMs, 0)),
    natsPerCheckout: nats
      ? Object.fromEntries(
          [...nats].map(([name, c]) => [name, { in: perCheckout(c.in), out: perCheckout(c.out) }]),
        )
      : null,
    storeCommandsPerCheckout: commands
      ? Object.fromEntries(
          Object.entries(target.databases).map(([label, db]) => [
            label,
            perCheckout(databaseTotal(commands, db)),
          ]),
        )
      : null,
    storeCommandsByCollection: commands
      ? Object.fromEntries(
          Object.entries(target.databases).map(([label, db]) => [
            label,
            collectionBreakdown(commands, db, count),
          ]),
        )
      : null,
  };
}
