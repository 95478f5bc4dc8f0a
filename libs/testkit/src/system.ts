import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { uniqueDbName } from './env';
import { repoRoot } from './paths';
import { newWebhookSecret } from './stripe-signing';
import { freePort, waitFor } from './wait';

export type ServiceName = 'gateway' | 'orders' | 'licensing' | 'notifications';
export type DatabaseServiceName = Exclude<ServiceName, 'gateway'>;
export const SERVICE_NAMES: readonly ServiceName[] = ['gateway', 'orders', 'licensing', 'notifications'];
const DATABASE_SERVICES: readonly DatabaseServiceName[] = ['orders', 'licensing', 'notifications'];
/** The operators' dashboard: no NATS, no database; it reads the services' HTTP APIs. */
export type ProcessName = ServiceName | 'dashboard';

export interface SystemOptions {
  natsUrl: string;
  /** Each service's own NATS identity (a NatsServer's `urlFor`); default: `natsUrl` for all. */
  natsUrlFor?: (service: ServiceName) => string;
  mongoUrl: string;
  smtpUrl: string;
  stripeApiUrl: string;
  /** Processes per service (default 1). Every replica of a service uses the service's one database. */
  replicas?: Partial<Record<ServiceName, number>>;
  /** Database name per service; a fresh unique name for each one not given. */
  databases?: Partial<Record<DatabaseServiceName, string>>;
  /**
   * Folder for one log file per process. Output goes straight from the child to the file, so a
   * benchmark does not spend its own CPU relaying logs. Default: a temp folder that stop() removes.
   */
  logDir?: string;
  /** pino level of every service (default `info`). */
  logLevel?: string;
  /**
   * Extra environment for every service (e.g. compressed retry and delivery schedules); wins over
   * the defaults. Retry and relay timings are left at the services' own defaults unless given here.
   */
  env?: Record<string, string>;
  /** Extra arguments for node before the service's script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Also starts services/dashboard, reading the first replica of each service (default false). */
  dashboard?: boolean;
}

/** One running service process. */
export interface ServiceProcess {
  service: ProcessName;
  /** 1-based. */
  replica: number;
  /** `orders#2`, for tables and messages. */
  label: string;
  url: string;
  pid: number;
  logFile: string;
}

export interface RunningSystem {
  /** The first replica of each service; `dashboard` when it was started. */
  urls: Record<ServiceName, string> & { dashboard?: string };
  processes: ServiceProcess[];
  databases: Record<DatabaseServiceName, string>;
  webhookSecret: string;
  adminToken: string;
  /** `METRICS_TOKEN`: every service's `GET /metrics` (the gateway's only way in). */
  metricsToken: string;
  logDir: string;
  /** Kills one process (`orders#2`) with SIGKILL, as a crash would. */
  kill(label: string): Promise<void>;
  /** Starts a killed process again on its port; resolves once it answers /readyz. */
  restart(label: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function lastLines(file: string, count: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts the services as separate processes from their builds (gateway, orders, licensing,
 * notifications; `replicas` of each; the dashboard when asked), with one fresh database per service
 * on the shared store, and waits until every process answers /readyz.
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const root = repoRoot();
  const webhookSecret = newWebhookSecret();
  const adminToken = randomBytes(24).toString('hex');
  const metricsToken = randomBytes(24).toString('hex');
  const { privateKey } = generateKeyPairSync('ed25519');
  const databases = Object.fromEntries(
    DATABASE_SERVICES.map((s) => [s, options.databases?.[s] ?? uniqueDbName(`e2e_${s}`)]),
  ) as Record<DatabaseServiceName, string>;
  const dbUrl = (service: DatabaseServiceName) => {
    const url = new URL(options.mongoUrl);
    url.pathname = `/${databases[service]}`;
    return url.toString();
  };
  const ownLogDir = options.logDir === undefined;
  const logDir = options.logDir ?? mkdtempSync(path.join(os.tmpdir(), 'billing-system-logs-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: options.logLevel ?? 'info',
    NATS_URL: options.natsUrl,
    SMTP_URL: options.smtpUrl,
    STRIPE_API_URL: options.stripeApiUrl,
    STRIPE_SECRET_KEY: 'sk_test_e2e',
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    ADMIN_API_TOKEN: adminToken,
    METRICS_TOKEN: metricsToken,
    LICENSE_SIGNING_PRIVATE_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    ORDERS_MONGO_URL: dbUrl('orders'),
    LICENSING_MONGO_URL: dbUrl('licensing'),
    NOTIFICATIONS_MONGO_URL: dbUrl('notifications'),
    OUTBOUND_ALLOW_PRIVATE: 'true',
    ...Object.fromEntries(SERVICE_NAMES.map((s) => [`${s.toUpperCase()}_HOST`, '127.0.0.1'])),
    ...options.env,
  };

  const processes: ServiceProcess[] = [];
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    if (ownLogDir) rmSync(logDir, { recursive: true, force: true });
  };
  const spawnService = (proc: Omit<ServiceProcess, 'pid'>): ChildProcess => {
    const fd = openSync(proc.logFile, 'a');
    const script = path.join(root, 'services', proc.service, 'dist', 'main.js');
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
      cwd: path.join(root, 'services', proc.service),
      env: {
        ...env,
        ...(proc.service === 'dashboard'
          ? dashboardEnv()
          : { NATS_URL: options.natsUrlFor?.(proc.service) ?? options.natsUrl }),
        [`${proc.service.toUpperCase()}_PORT`]: new URL(proc.url).port,
      },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`${proc.label} did not start`);
    return child;
  };
  const dashboardEnv = () => {
    const urlOf = (service: ServiceName) => processes.find((p) => p.service === service)!.url;
    return {
      DASHBOARD_HOST: '127.0.0.1',
      GATEWAY_URL: urlOf('gateway'),
      ORDERS_URL: urlOf('orders'),
      LICENSING_URL: urlOf('licensing'),
      NOTIFICATIONS_URL: urlOf('notifications'),
    };
  };
  const ready = (i: number, timeoutMs: number) =>
    waitFor(
      async () => {
        const proc = processes[i]!;
        if (children[i]!.exitCode !== null)
          throw new Error(`${proc.label} exited:\n${lastLines(proc.logFile, 5)}`);
        const res = await fetch(`${proc.url}/readyz`).catch(() => undefined);
        return res?.ok === true;
      },
      { timeoutMs, what: `${processes[i]!.label} ready` },
    );
  const indexOf = (label: string) => {
    const i = processes.findIndex((p) => p.label === label);
    if (i < 0) throw new Error(`no process ${label}`);
    return i;
  };
  try {
    for (const service of SERVICE_NAMES) {
      for (let replica = 1; replica <= (options.replicas?.[service] ?? 1); replica++) {
        const port = await freePort();
        const proc = {
          service,
          replica,
          label: `${service}#${replica}`,
          url: `http://127.0.0.1:${port}`,
          logFile: path.join(logDir, `${service}-${replica}.log`),
        };
        const child = spawnService(proc);
        children.push(child);
        processes.push({ ...proc, pid: child.pid! });
      }
    }
    if (options.dashboard) {
      const port = await freePort();
      const proc = {
        service: 'dashboard' as const,
        replica: 1,
        label: 'dashboard#1',
        url: `http://127.0.0.1:${port}`,
        logFile: path.join(logDir, 'dashboard-1.log'),
      };
      const child = spawnService(proc);
      children.push(child);
      processes.push({ ...proc, pid: child.pid! });
    }
    await Promise.all(processes.map((_, i) => ready(i, 30_000)));
  } catch (err) {
    await stop();
    throw err;
  }
  const kill = async (label: string) => {
    const child = children[indexOf(label)]!;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  };
  const restart = async (label: string, timeoutMs = 60_000) => {
    const i = indexOf(label);
    await kill(label);
    const child = spawnService(processes[i]!);
    children[i] = child;
    processes[i] = { ...processes[i]!, pid: child.pid! };
    await ready(i, timeoutMs);
  };
  const urls: RunningSystem['urls'] = Object.fromEntries(
    SERVICE_NAMES.map((s) => [s, processes.find((p) => p.service === s)!.url]),
  ) as Record<ServiceName, string>;
  const dashboard = processes.find((p) => p.service === 'dashboard');
  if (dashboard) urls.dashboard = dashboard.url;
  return { urls, processes, databases, webhookSecret, adminToken, metricsToken, logDir, kill, restart, stop };
}

/** JSON request with the admin bearer token; returns status and parsed body. */
export async function adminApi<T = unknown>(
  url: string,
  token: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Registers an outbound webhook endpoint on notifications; returns its id and signing secret. */
export async function registerWebhookEndpoint(
  system: Pick<RunningSystem, 'urls' | 'adminToken'>,
  url: string,
  events: string[] = ['*'],
): Promise<{ id: string; secret: string }> {
  const created = await adminApi<{ id: string; secret: string }>(
    `${system.urls.notifications}/webhooks/endpoints`,
    system.adminToken,
    { method: 'POST', body: { url, events, description: 'test receiver' } },
  );
  if (created.status !== 201) {
    throw new Error(`POST /webhooks/endpoints answered ${created.status}: ${JSON.stringify(created.body)}`);
  }
  return created.body;
}
