import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  freePort,
  newWebhookSecret,
  registerWebhookEndpoint,
  repoRoot,
  startNatsServer,
  startStore,
  startSystem,
  uniqueDbName,
  waitFor,
  type FakeStripe,
  type LocalServer,
  type WebhookReceiver,
} from '@billing/testkit';
import type { HistoryTarget } from './history';
import { BENCH_PRODUCT } from './load';
import type { MeteredProcess } from './meter';
import type { SmtpSink } from './smtp-sink';
import { StoreCommandCounter } from './store-stats';

/**
 * Accepted age of a Stripe signature, for the gateway and the baseline alike. Bodies are signed
 * before a phase starts, and a phase on a slow machine can outlast Stripe's 300 s; the check
 * costs the same whatever the tolerance.
 */
export const SIGNATURE_TOLERANCE_SECONDS = 3600;

/** What every run shares: the fake Stripe, the SMTP sink, the webhook receiver, the log folder. */
export interface Shared {
  fake: FakeStripe;
  sink: SmtpSink;
  receiver: WebhookReceiver;
  logRoot: string;
  logLevel: string;
  /** Where service processes write V8 CPU profiles, or null for none. */
  cpuProfDir: string | null;
}

/** Something under test, with what the measurements need to know about it. */
export interface Target {
  name: string;
  /** Where Stripe's webhooks go (the gateway, or the baseline's route). */
  url: string;
  webhookSecret: string;
  processes: MeteredProcess[];
  /** nats-server monitoring, for message counts per service (none for the baseline). */
  natsMonitorUrl: string | null;
  /** The store, and report label -> database name (store commands are counted per database). */
  mongoUrl: string;
  databases: Record<string, string>;
  commands: StoreCommandCounter;
  logDir: string;
  stop(): Promise<void>;
}

const privateKeyBase64 = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) =>
  key.export({ format: 'der', type: 'pkcs8' }).toString('base64');

/** Starts the store; the other steps of a target run with it and destroy it if they fail. */
async function withStore<T>(start: (store: LocalServer) => Promise<T>): Promise<T> {
  const store = await startStore();
  try {
    return await start(store);
  } catch (err) {
    await store.destroy();
    throw err;
  }
}

/**
 * The system: its own nats-server and store, gateway x1 and two replicas of each consuming
 * service. With `history` > 0 the databases get that many past checkouts before the services start.
 */
export async function startSystemTarget(shared: Shared, name: string, history: number): Promise<Target> {
  const logDir = path.join(shared.logRoot, name.replace(/\W+/g, '-'));
  mkdirSync(logDir, { recursive: true });
  // With the monitoring port the benchmark reads per-connection message counts from.
  const nats = await startNatsServer({ monitorPort: await freePort() });
  try {
    return await withStore(async (store) => {
      const databases = {
        orders: uniqueDbName('bench_orders'),
        licensing: uniqueDbName('bench_licensing'),
        notifications: uniqueDbName('bench_notifications'),
      };
      const { privateKey } = generateKeyPairSync('ed25519');
      // The history's deliveries went to the run's endpoint, so with history it is stored by the
      // loader (as the endpoints route would have stored it) instead of registered afterwards.
      let endpoint: { id: string; secret: string } | undefined;
      if (history > 0) {
        endpoint = { id: `ep_${randomBytes(12).toString('hex')}`, secret: newWebhookSecret() };
        await loadHistoryInChild(history, {
          mongoUrl: store.url,
          databases,
          signingKeyBase64: privateKeyBase64(privateKey),
          endpoint: { ...endpoint, url: shared.receiver.url },
        });
      }
      const seedFile = path.join(logDir, 'catalog.seed.json');
      const { sku, name: productName, kind, tier, downloadUrl, priceId } = BENCH_PRODUCT;
      const seed = [{ sku, name: productName, kind, tier, downloadUrl, stripePriceIds: [priceId] }];
      writeFileSync(seedFile, JSON.stringify(seed));
      const system = await startSystem({
        natsUrl: nats.url,
        natsUrlFor: (service) => nats.urlFor(service),
        mongoUrl: store.url,
        smtpUrl: shared.sink.url,
        stripeApiUrl: shared.fake.url,
        replicas: { gateway: 1, orders: 2, licensing: 2, notifications: 2 },
        databases,
        logDir,
        logLevel: shared.logLevel,
        env: {
          ORDERS_CATALOG_SEED: seedFile,
          // The tier `pro` is one of licensing's default tiers (LICENSING_TIERS unset).
          LICENSING_PRODUCTS: JSON.stringify({ [sku]: { seats: 3 } }),
          STRIPE_WEBHOOK_TOLERANCE_SECONDS: String(SIGNATURE_TOLERANCE_SECONDS),
          LICENSE_SIGNING_PRIVATE_KEY: privateKeyBase64(privateKey),
        },
        nodeArgs: shared.cpuProfDir
          ? ['--cpu-prof', `--cpu-prof-dir=${path.join(shared.cpuProfDir, name.replace(/\W+/g, '-'))}`]
          : [],
      });
      try {
        endpoint ??= await registerWebhookEndpoint(system, shared.receiver.url);
        shared.receiver.setSecret(endpoint.secret);
        const commands = await StoreCommandCounter.connect(store.url);
        return {
          name,
          url: system.urls.gateway,
          webhookSecret: system.webhookSecret,
          processes: [
            { label: 'store', pids: () => store.pids() },
            { label: 'nats-server', pids: () => nats.pids() },
            ...system.processes.map((p) => ({ label: p.label, pids: () => [p.pid] })),
          ],
          natsMonitorUrl: nats.monitorUrl!,
          mongoUrl: store.url,
          databases,
          commands,
          logDir,
          async stop() {
            await commands.close();
            await system.stop();
            await Promise.all([store.destroy(), nats.destroy()]);
          },
        };
      } catch (err) {
        await system.stop();
        throw err;
      }
    });
  } catch (err) {
    await nats.destroy();
    throw err;
  }
}

/**
 * Runs history-main.ts as a child process and waits for it: the loader's memory (a hundred
 * thousand checkouts' worth of documents) is gone before the measured phases start.
 */
function loadHistoryInChild(
  count: number,
  target: Omit<HistoryTarget, 'signingKey'> & { signingKeyBase64: string },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'history-main.ts')], {
      cwd: repoRoot(),
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    child.stdin!.end(JSON.stringify({ count, ...target }));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`history loader exited ${code}`)),
    );
  });
}

/** The naive baseline (naive-baseline.ts) as its own process, on its own store. */
export async function startBaselineTarget(shared: Shared): Promise<Target> {
  const logDir = path.join(shared.logRoot, 'baseline');
  mkdirSync(logDir, { recursive: true });
  return withStore(async (store) => {
    const database = uniqueDbName('bench_baseline');
    const mongoUrl = new URL(store.url);
    mongoUrl.pathname = `/${database}`;
    const port = await freePort();
    const webhookSecret = newWebhookSecret();
    const outboundSecret = newWebhookSecret();
    const { privateKey } = generateKeyPairSync('ed25519');
    const logFd = openSync(path.join(logDir, 'baseline.log'), 'a');
    // tsx runs the TypeScript file directly, as it runs the benchmark itself.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'naive-baseline.ts')], {
      cwd: repoRoot(),
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        MONGO_URL: mongoUrl.toString(),
        STRIPE_API_URL: shared.fake.url,
        STRIPE_WEBHOOK_SECRET: webhookSecret,
        STRIPE_WEBHOOK_TOLERANCE_SECONDS: String(SIGNATURE_TOLERANCE_SECONDS),
        SMTP_URL: shared.sink.url,
        WEBHOOK_URL: shared.receiver.url,
        WEBHOOK_SECRET: outboundSecret,
        LICENSE_SIGNING_PRIVATE_KEY: privateKeyBase64(privateKey),
        LOG_LEVEL: shared.logLevel,
      },
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    const stopChild = () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`baseline exited (see ${logDir}/baseline.log)`);
          return (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true;
        },
        { timeoutMs: 30_000, what: 'naive baseline ready' },
      );
      shared.receiver.setSecret(outboundSecret);
      const commands = await StoreCommandCounter.connect(store.url);
      return {
        name: 'baseline',
        url,
        webhookSecret,
        processes: [
          { label: 'store', pids: () => store.pids() },
          {
            label: 'baseline',
            pids: () => (child.pid !== undefined && child.exitCode === null ? [child.pid] : []),
          },
        ],
        natsMonitorUrl: null,
        mongoUrl: store.url,
        databases: { baseline: database },
        commands,
        logDir,
        async stop() {
          await commands.close();
          await stopChild();
          await store.destroy();
        },
      };
    } catch (err) {
      await stopChild();
      throw err;
    }
  });
}
