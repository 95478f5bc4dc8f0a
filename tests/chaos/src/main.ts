/**
 * The chaos suite: the whole system as separate processes (two replicas of each consuming
 * service) on real NATS, the default store, a real SMTP server, a verifying webhook receiver and
 * the fake Stripe API. Paid checkouts and whole subscription lifecycles are posted, every event
 * three times at once in shuffled order, while every process is killed (-9) and started again,
 * NATS and the store restart, SMTP and the Stripe API are down and the webhook receiver fails.
 * Then every effect is counted: 0 lost, 0 duplicated, 0 left parked, or the exit code is 1.
 *
 *   npm run test:chaos                  # short form: 10 checkouts + 10 subscriptions
 *   npm run test:chaos -- --full        # 1,000 + 1,000
 *   npm run test:chaos -- --checkouts 50 --subscriptions 50 --outage-s 30
 *   npm run test:chaos -- --no-faults   # the same load on a healthy system
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  registerWebhookEndpoint,
  startFakeStripe,
  startNatsServer,
  startSmtpServer,
  startStore,
  startSystem,
  startWebhookReceiver,
  waitFor,
} from '@billing/testkit';
import { runFaults, type FaultPlan } from './faults';
import { runLoad, type LoadStats } from './load';
import { tally, type Tally } from './effects';
import { checkoutScenario, shuffle, subscriptionScenario } from './workload';

interface Options {
  checkouts: number;
  subscriptions: number;
  plan: FaultPlan;
  /** How long to wait for every effect once load and faults are over. */
  settleTimeoutMs: number;
  /** False with --no-faults: the same load on a healthy system (to tell faults from load). */
  faults: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const full = argv.includes('--full');
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    if (i < 0) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} needs a number`);
    return n;
  };
  const n = full ? 1000 : 10;
  const outageS = value('--outage-s', 20);
  return {
    checkouts: value('--checkouts', n),
    subscriptions: value('--subscriptions', n),
    plan: { outageMs: outageS * 1000, receiverFailingMs: (outageS * 1000) / 2, restartDownMs: 3000 },
    settleTimeoutMs: value('--settle-s', full ? 1200 : 300) * 1000,
    faults: !argv.includes('--no-faults'),
  };
}

/**
 * Retry schedules compressed about 50x: the old 9-minute budget of a consumer would be about
 * 11 s here, so a 20 s outage outlasts it; the retry period (3 days by default) is 15 minutes.
 */
const COMPRESSED = {
  CONSUMER_RETRY_BASE_MS: '100',
  CONSUMER_RETRY_MAX_DELAY_MS: '4000',
  CONSUMER_RETRY_FOR_MS: String(15 * 60 * 1000),
  PARKED_REPLAY_INTERVAL_MS: '5000',
  OUTBOX_RELAY_INTERVAL_MS: '500',
  WEBHOOK_RETRY_SCHEDULE_MS: '0,500,1000,2000,4000,8000,8000,8000,8000,8000,8000,8000,8000,8000,8000',
  WEBHOOK_POLL_INTERVAL_MS: '200',
  WEBHOOK_TIMEOUT_MS: '5000',
  SMTP_TIMEOUT_MS: '5000',
  STRIPE_API_TIMEOUT_MS: '5000',
  SHUTDOWN_GRACE_MS: '5000',
};

function report(t: Tally, load: LoadStats, seconds: number): void {
  const rows = Object.entries(t.counts).sort(([a], [b]) => a.localeCompare(b));
  console.log('\neffects counted');
  for (const [kind, n] of rows) console.log(`  ${kind.padEnd(44)} ${n}`);
  console.log(`\ngateway POSTs ${load.posts} (retried after an error answer: ${load.retries})`);
  console.log(`resent under the same id: webhooks ${t.resent.webhooks}, emails ${t.resent.emails}`);
  console.log(`lost ${t.lost.length}, duplicated ${t.duplicated.length}, refused ${load.refused.length}`);
  console.log(
    `left parked: ${Object.entries(t.parked)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')}`,
  );
  for (const line of [...t.lost.slice(0, 20), ...t.duplicated.slice(0, 20)]) console.log(`  ${line}`);
  for (const r of load.refused.slice(0, 20)) console.log(`  refused ${r.eventId}: ${r.status}`);
  console.log(`took ${seconds.toFixed(0)} s`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const log = (what: string) =>
    console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${what}`);
  const [nats, store, smtp, fake, receiver] = await Promise.all([
    startNatsServer(),
    startStore(),
    startSmtpServer(),
    startFakeStripe(),
    startWebhookReceiver(),
  ]);
  // Kept when the run fails, for the services' logs.
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'billing-chaos-'));
  const system = await startSystem({
    logDir,
    natsUrl: nats.url,
    natsUrlFor: (service) => nats.urlFor(service),
    mongoUrl: store.url,
    smtpUrl: smtp.url,
    stripeApiUrl: fake.url,
    replicas: { orders: 2, licensing: 2, notifications: 2 },
    env: COMPRESSED,
  });
  try {
    const endpoint = await registerWebhookEndpoint(system, receiver.url);
    receiver.setSecret(endpoint.secret);
    const run = Date.now().toString(36);
    const scenarios = shuffle([
      ...Array.from({ length: options.checkouts }, (_, i) => checkoutScenario(run, i)),
      ...Array.from({ length: options.subscriptions }, (_, i) => subscriptionScenario(run, i)),
    ]);
    log(
      `${system.processes.map((p) => p.label).join(', ')} up (logs in ${system.logDir}); ` +
        `${options.checkouts} checkouts and ${options.subscriptions} subscription lifecycles`,
    );

    const stats: LoadStats = { posts: 0, retries: 0, refused: [] };
    // The load is spread over about as long as the faults take, so that both overlap.
    const faultsMs = system.processes.length * 3000 + 2 * options.plan.restartDownMs + options.plan.outageMs;
    const spreadMs = Math.max(faultsMs, (options.checkouts + options.subscriptions) * 60);
    const load = runLoad(
      scenarios,
      { gateway: system.urls.gateway, secret: system.webhookSecret, fake, spreadMs },
      stats,
    ).then(() => log(`load posted: ${stats.posts} POSTs`));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if (options.faults) await runFaults({ system, nats, store, smtp, fake, receiver }, options.plan, log);
    await load;

    log('waiting for every effect');
    await waitFor(
      async () => {
        const now = await tally(scenarios, { system, smtp, receiver, natsUrl: nats.urlFor('ops') });
        return now.lost.length === 0 && Object.values(now.parked).every((n) => n === 0);
      },
      { timeoutMs: options.settleTimeoutMs, intervalMs: 5000, what: 'every effect' },
    ).catch(() => undefined);
    // Anything still on its way arrives now: a duplicate would show up in the final count.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const final = await tally(scenarios, { system, smtp, receiver, natsUrl: nats.urlFor('ops') });
    report(final, stats, (Date.now() - started) / 1000);
    const failed =
      final.lost.length > 0 ||
      final.duplicated.length > 0 ||
      stats.refused.length > 0 ||
      Object.values(final.parked).some((n) => n > 0) ||
      receiver.rejected.length > 0;
    console.log(failed ? '\nFAILED' : '\n0 lost, 0 duplicated, 0 left parked');
    process.exitCode = failed ? 1 : 0;
  } finally {
    await system.stop();
    if (process.exitCode === 0) rmSync(logDir, { recursive: true, force: true });
    else console.log(`service logs: ${logDir}`);
    await Promise.allSettled([nats.destroy(), store.destroy(), smtp.close(), fake.close(), receiver.close()]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
