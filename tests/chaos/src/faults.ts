import type {
  FakeStripe,
  LocalServer,
  RunningSystem,
  TestSmtpServer,
  WebhookReceiver,
} from '@billing/testkit';

export interface FaultPlan {
  /** How long the SMTP server and the Stripe API are down. */
  outageMs: number;
  /** How long the webhook receiver answers 500. */
  receiverFailingMs: number;
  /** How long NATS and the store stay down when restarted. */
  restartDownMs: number;
}

export interface FaultTargets {
  system: RunningSystem;
  nats: LocalServer;
  store: LocalServer;
  smtp: TestSmtpServer;
  fake: FakeStripe;
  receiver: WebhookReceiver;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A line per fault, with the time since the run started. */
export type FaultLog = (what: string) => void;

/**
 * The faults, one after another while the load runs: kill -9 of every service process (each
 * started again a second later), a NATS restart, a store restart; then at once an SMTP outage, a
 * Stripe API outage and a webhook receiver answering 500.
 */
export async function runFaults(t: FaultTargets, plan: FaultPlan, log: FaultLog): Promise<void> {
  for (const proc of [...t.system.processes]) {
    log(`kill -9 ${proc.label}`);
    await t.system.kill(proc.label);
    await sleep(1000);
    await t.system.restart(proc.label);
    log(`${proc.label} restarted and ready`);
  }

  log('NATS stopped');
  await t.nats.stop();
  await sleep(plan.restartDownMs);
  await t.nats.start();
  log('NATS started');

  log('store stopped');
  await t.store.stop();
  await sleep(plan.restartDownMs);
  await t.store.start();
  log('store started');

  log(
    `SMTP and the Stripe API down for ${plan.outageMs} ms, receiver failing for ${plan.receiverFailingMs} ms`,
  );
  await t.smtp.setDown(true);
  t.fake.failNext(Number.MAX_SAFE_INTEGER, 503);
  t.receiver.failNext(Number.MAX_SAFE_INTEGER);
  await sleep(plan.receiverFailingMs);
  t.receiver.failNext(0);
  log('receiver accepts again');
  await sleep(Math.max(0, plan.outageMs - plan.receiverFailingMs));
  await t.smtp.setDown(false);
  t.fake.failNext(0);
  log('SMTP and the Stripe API back');
}
