import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  OPS_IDENTITY,
  SERVICE_IDENTITIES,
  natsAuthorizationConfig,
  natsUser,
  type ServiceIdentity,
} from '@billing/contracts';
import { natsConfigPath, toolPath } from './paths';
import { freePort, waitForPort } from './wait';

export interface LocalServer {
  url: string;
  port: number;
  /** Stops the process; the data folder is kept so `start()` can bring the same state back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops and deletes the data folder. */
  destroy(): Promise<void>;
  /** Operating-system ids of the server's processes while it runs (for CPU and memory readings). */
  pids(): number[];
}

function requireTool(name: 'nats-server' | 'docstore' | 'ferretdb' | 'stripe-mock'): string {
  const bin = toolPath(name);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run "bash tools/infra/install.sh" first`);
  return bin;
}

function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function localServer(
  name: string,
  scheme: string,
  command: (port: number, dataDir: string) => { bin: string; args: string[] },
  fixedPort?: number,
): Promise<LocalServer> {
  const port = fixedPort ?? (await freePort());
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `billing-${name}-`));
  let child: ChildProcess | undefined;
  let output = '';
  const server: LocalServer = {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    async start() {
      const { bin, args } = command(port, dataDir);
      output = '';
      child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      try {
        await waitForPort(port, name);
      } catch (err) {
        await stopProcess(child);
        throw new Error(`${name} did not start: ${(err as Error).message}\n${output}`);
      }
    },
    stop: () => stopProcess(child),
    pids: () => (child?.pid !== undefined && child.exitCode === null ? [child.pid] : []),
    async destroy() {
      await stopProcess(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

export type NatsPasswords = Record<ServiceIdentity | typeof OPS_IDENTITY, string>;

/** A fresh password for each service identity and the ops identity. */
export function newNatsPasswords(): NatsPasswords {
  const password = () => randomBytes(18).toString('hex');
  return {
    ...Object.fromEntries(SERVICE_IDENTITIES.map((s) => [s, password()])),
    [OPS_IDENTITY]: password(),
  } as NatsPasswords;
}

/** A nats-server that refuses anonymous clients; each service and the ops identity have a user. */
export interface NatsServer extends LocalServer {
  /** `url` carries an unrestricted test identity; this one a service's or the ops identity. */
  urlFor(identity: ServiceIdentity | typeof OPS_IDENTITY): string;
  /** The same server without credentials (it refuses the connection). */
  anonymousUrl: string;
  /** The HTTP monitoring endpoint, when a `monitorPort` was asked for. */
  monitorUrl?: string;
}

/**
 * A private nats-server with JetStream (file storage in a temp folder) on a free port, with the
 * project's settings (tools/infra/nats-server.conf) and the identities and permissions declared
 * in libs/contracts, each with a fresh password, plus an unrestricted `test` user for the tests'
 * own set-up (never configured outside the tests).
 */
export async function startNatsServer(
  options: {
    extraConfig?: string;
    port?: number;
    monitorPort?: number;
    /** Passwords of the identities, when a client must know them before the server starts. */
    passwords?: NatsPasswords;
  } = {},
): Promise<NatsServer> {
  const bin = requireTool('nats-server');
  const passwords = options.passwords ?? newNatsPasswords();
  const testPassword = randomBytes(18).toString('hex');
  const server = await localServer(
    'nats-server',
    'nats',
    (port, dataDir) => {
      const config = path.join(dataDir, 'nats-server.conf');
      writeFileSync(
        config,
        [
          readFileSync(natsConfigPath(), 'utf8'),
          natsAuthorizationConfig(passwords, [natsUser('test', testPassword, 'all')]),
          options.extraConfig ?? '',
        ].join('\n'),
      );
      const monitor = options.monitorPort ? ['-m', String(options.monitorPort)] : [];
      return {
        bin,
        args: ['-c', config, '-a', '127.0.0.1', '-p', String(port), ...monitor, '-js', '-sd', dataDir],
      };
    },
    options.port,
  );
  const withUser = (user: string, pass: string) => `nats://${user}:${pass}@127.0.0.1:${server.port}`;
  return {
    ...server,
    url: withUser('test', testPassword),
    urlFor: (identity) => withUser(identity, passwords[identity]),
    anonymousUrl: server.url,
    monitorUrl: options.monitorPort ? `http://127.0.0.1:${options.monitorPort}` : undefined,
  };
}

/** A private docstore (the embedded Mongo-protocol store, tools/docstore) on a free port. */
export function startDocstore(options: { port?: number } = {}): Promise<LocalServer> {
  const bin = requireTool('docstore');
  return localServer(
    'docstore',
    'mongodb',
    (port, dataDir) => ({ bin, args: ['-listen', `127.0.0.1:${port}`, '-data', dataDir] }),
    options.port,
  );
}

/** A private FerretDB on SQLite (built by `install.sh ferretdb`), for store comparisons. */
export function startFerretDb(): Promise<LocalServer> {
  const bin = requireTool('ferretdb');
  return localServer('ferretdb', 'mongodb', (port, dataDir) => ({
    bin,
    args: ['-listen', `127.0.0.1:${port}`, '-data', dataDir],
  }));
}

/** The default Mongo-protocol store for tests and benchmarks, on a free port with its own data folder. */
export function startStore(options: { port?: number } = {}): Promise<LocalServer> {
  return startDocstore(options);
}

/** stripe-mock on a free port (checks our Stripe API calls against Stripe's OpenAPI spec). */
export async function startStripeMock(): Promise<LocalServer> {
  const bin = requireTool('stripe-mock');
  // stripe-mock also serves HTTPS, on 12112 unless told otherwise: give it a free port too.
  const httpsPort = await freePort();
  return localServer('stripe-mock', 'http', (port) => ({
    bin,
    args: ['-http-addr', `127.0.0.1:${port}`, '-https-addr', `127.0.0.1:${httpsPort}`],
  }));
}
