import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort, newWebhookSecret, repoRoot, uniqueDbName, waitFor } from '@billing/testkit';

export type ServiceName = 'gateway' | 'orders' | 'licensing' | 'notifications';
const SERVICES: ServiceName[] = ['gateway', 'orders', 'licensing', 'notifications'];

export interface SystemOptions {
  natsUrl: string;
  mongoUrl: string;
  smtpUrl: string;
  stripeApiUrl: string;
  /** Extra environment for every service (e.g. compressed delivery schedules). */
  env?: Record<string, string>;
}

export interface RunningSystem {
  urls: Record<ServiceName, string>;
  webhookSecret: string;
  adminToken: string;
  /** Log lines of each process, for failure messages. */
  logs: Record<ServiceName, string[]>;
  stop(): Promise<void>;
}

/**
 * Starts the four services as separate processes from their builds, each with its own fresh
 * database on the shared store, and waits until every one answers /readyz.
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const root = repoRoot();
  const webhookSecret = newWebhookSecret();
  const adminToken = randomBytes(24).toString('hex');
  const { privateKey } = generateKeyPairSync('ed25519');
  const ports = Object.fromEntries(
    await Promise.all(SERVICES.map(async (s) => [s, await freePort()] as const)),
  ) as Record<ServiceName, number>;
  const dbUrl = (service: string) => {
    const url = new URL(options.mongoUrl);
    url.pathname = `/${uniqueDbName(`e2e_${service}`)}`;
    return url.toString();
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    NATS_URL: options.natsUrl,
    SMTP_URL: options.smtpUrl,
    STRIPE_API_URL: options.stripeApiUrl,
    STRIPE_SECRET_KEY: 'sk_test_e2e',
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    ADMIN_API_TOKEN: adminToken,
    LICENSE_SIGNING_PRIVATE_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    ORDERS_MONGO_URL: dbUrl('orders'),
    LICENSING_MONGO_URL: dbUrl('licensing'),
    NOTIFICATIONS_MONGO_URL: dbUrl('notifications'),
    CONSUMER_RETRY_DELAYS_MS: '100,200,400,800,1600,3200',
    OUTBOX_RELAY_INTERVAL_MS: '500',
    OUTBOUND_ALLOW_PRIVATE: 'true',
    ...Object.fromEntries(SERVICES.map((s) => [`${s.toUpperCase()}_PORT`, String(ports[s])])),
    ...Object.fromEntries(SERVICES.map((s) => [`${s.toUpperCase()}_HOST`, '127.0.0.1'])),
    ...options.env,
  };

  const logs = Object.fromEntries(SERVICES.map((s) => [s, [] as string[]])) as Record<ServiceName, string[]>;
  const children = new Map<ServiceName, ChildProcess>();
  for (const service of SERVICES) {
    const child = spawn(process.execPath, [path.join(root, 'services', service, 'dist', 'main.js')], {
      cwd: path.join(root, 'services', service),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs[service].push(line);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    children.set(service, child);
  }

  const urls = Object.fromEntries(SERVICES.map((s) => [s, `http://127.0.0.1:${ports[s]}`])) as Record<
    ServiceName,
    string
  >;
  const stop = async () => {
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  };

  try {
    for (const service of SERVICES) {
      await waitFor(
        async () => {
          const child = children.get(service)!;
          if (child.exitCode !== null)
            throw new Error(`${service} exited: ${logs[service].slice(-5).join('\n')}`);
          const res = await fetch(`${urls[service]}/readyz`).catch(() => undefined);
          return res?.ok === true;
        },
        { timeoutMs: 30_000, what: `${service} ready` },
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { urls, webhookSecret, adminToken, logs, stop };
}
