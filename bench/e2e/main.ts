/**
 * End-to-end benchmark: `npm run bench:e2e [-- options]`.
 *
 * Starts, on loopback and all by itself: a nats-server with JetStream file storage and its
 * monitoring port, the default Mongo-protocol store (testkit's startStore()), a fake Stripe API,
 * a real SMTP sink and a Standard Webhooks receiver that verifies every delivery; then the system
 * (gateway x1; orders, licensing and notifications x2 each, every process from its build, logs in
 * files), and drives it through two phases of paid one-time checkouts of a licensed digital
 * product, each event delivered twice and shuffled, signed as Stripe signs:
 *
 * - burst: every POST as fast as the gateway accepts it over --connections keep-alive
 *   connections; sustained checkouts/s = checkouts / (first POST until every checkout's
 *   checkout.completed webhook and purchase email arrived);
 * - paced: --rate checkouts/s offered open-loop; p50/p99 from a checkout's first POST to its
 *   webhook and to its email, and of the Stripe-facing answer.
 *
 * Per phase: CPU ms per checkout of every process (store, nats-server, each service process, and
 * this process as the load generator, which also runs the fake Stripe, SMTP sink and receiver),
 * peak RSS, NATS messages per checkout per service, store commands per checkout per database
 * (when the store answers `top`), and the counts a user would notice: webhooks per type,
 * duplicates, rejected signatures, emails per template, duplicate emails, non-2xx answers. A
 * phase with duplicates or missing effects is reported loudly and the run exits non-zero.
 *
 * Then the same load against a naive single-process webhook route (naive-baseline.ts) and the
 * ratios system / baseline; with --history K, the system again on databases pre-loaded with K
 * past checkouts (history.ts) and the ratios with-history / empty.
 *
 * Options (--help prints them): --checkouts N (2000), --paced-checkouts N (600), --rate R (30),
 * --connections C (32), --log-level L (info), --no-baseline, --history K (0), --timeout S (900),
 * --quiet S (3), --json PATH, --quick (200 checkouts, 150 paced).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeStripe, startWebhookReceiver } from '@billing/testkit';
import { HELP, parseOptions, type BenchOptions } from './options';
import { runPhase } from './phase';
import {
  formatPhase,
  formatRatios,
  historyVersusEmpty,
  problemsOf,
  systemVersusBaseline,
  type Ratios,
  type RunResult,
} from './report';
import { startSmtpSink } from './smtp-sink';
import { startBaselineTarget, startSystemTarget, type Shared, type Target } from './targets';

/** Starts a target, runs the burst and paced phases against it, prints them, stops it. */
async function measure(
  start: () => Promise<Target>,
  shared: Shared,
  options: BenchOptions,
): Promise<RunResult> {
  const target = await start();
  console.log(`\n${target.name}: up (logs in ${target.logDir})`);
  const result: RunResult = {};
  try {
    result.burst = await runPhase('burst', options.checkouts, target, shared, options);
    console.log(formatPhase(target.name, result.burst));
    result.paced = await runPhase('paced', options.pacedCheckouts, target, shared, options);
    console.log(formatPhase(target.name, result.paced));
  } finally {
    await target.stop();
  }
  return result;
}

async function main(): Promise<number> {
  let options: BenchOptions | null;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  if (!options) {
    console.log(HELP);
    return 0;
  }
  const logRoot = mkdtempSync(path.join(os.tmpdir(), 'bench-e2e-'));
  const [fake, sink, receiver] = await Promise.all([
    startFakeStripe(),
    startSmtpSink(),
    startWebhookReceiver(),
  ]);
  // Outside dependencies answer with a realistic delay: a route that waits for them before
  // answering Stripe pays it on every request; the system pays it off Stripe's path.
  fake.setLatency(options.latencyMs);
  sink.setLatency(options.latencyMs);
  receiver.setLatency(options.latencyMs);
  const shared: Shared = {
    fake,
    sink,
    receiver,
    logRoot,
    logLevel: options.logLevel,
    cpuProfDir: options.cpuProf,
  };
  const runs: Record<string, RunResult> = {};
  const ratios: Ratios[] = [];
  try {
    console.log(
      `bench:e2e: ${options.checkouts} burst + ${options.pacedCheckouts} paced checkouts at ${options.rate}/s, ` +
        `${options.connections} connections, dependencies answer in ${options.latencyMs} ms, ` +
        `LOG_LEVEL=${options.logLevel}; logs under ${logRoot}`,
    );
    runs.system = await measure(() => startSystemTarget(shared, 'system', 0), shared, options);
    if (options.history > 0) {
      const name = `system with ${options.history} past checkouts`;
      runs.systemWithHistory = await measure(
        () => startSystemTarget(shared, name, options.history),
        shared,
        options,
      );
      // The empty system once more, so that history is compared with runs on either side of it.
      runs.systemAgain = await measure(() => startSystemTarget(shared, 'system, again', 0), shared, options);
      ratios.push(historyVersusEmpty(runs.systemWithHistory, [runs.system, runs.systemAgain]));
    }
    if (options.baseline) {
      runs.baseline = await measure(() => startBaselineTarget(shared), shared, options);
      ratios.push(systemVersusBaseline(runs.system, runs.baseline));
    }
  } finally {
    await Promise.allSettled([fake.close(), sink.close(), receiver.close()]);
  }
  for (const r of ratios) console.log(formatRatios(r));

  const problems = Object.entries(runs).flatMap(([name, run]) =>
    Object.values(run).flatMap((phase) => problemsOf(phase).map((p) => `${name} / ${phase.phase}: ${p}`)),
  );
  if (options.json) {
    const json = {
      options,
      runs,
      ratios: Object.fromEntries(ratios.map((r) => [r.title, r.rows])),
      problems,
    };
    writeFileSync(options.json, JSON.stringify(json, null, 2));
    console.log(`\nfigures written to ${options.json}`);
  }
  if (problems.length > 0) {
    console.log(`\n!!! ${problems.length} PROBLEM(S): this run is not a valid measurement`);
    for (const p of problems) console.log(`!!! ${p}`);
    return 1;
  }
  console.log('\nevery checkout had its effects exactly once');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
