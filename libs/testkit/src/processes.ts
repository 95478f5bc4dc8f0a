import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/** A private nats-server with JetStream (file storage in a temp folder) on a free port. */
export function startNatsServer(options: { extraConfig?: string; port?: number } = {}): Promise<LocalServer> {
  const bin = requireTool('nats-server');
  return localServer(
    'nats-server',
    'nats',
    (port, dataDir) => {
      // The project's settings (tools/infra/nats-server.conf), plus what a test adds.
      const config = path.join(dataDir, 'nats-server.conf');
      writeFileSync(config, `${readFileSync(natsConfigPath(), 'utf8')}\n${options.extraConfig ?? ''}\n`);
      return { bin, args: ['-c', config, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dataDir] };
    },
    options.port,
  );
}

/** A private docstore (the embedded Mongo-protocol store, tools/docstore) on a free port. */
export function startDocstore(): Promise<LocalServer> {
  const bin = requireTool('docstore');
  return localServer('docstore', 'mongodb', (port, dataDir) => ({
    bin,
    args: ['-listen', `127.0.0.1:${port}`, '-data', dataDir],
  }));
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
export function startStore(): Promise<LocalServer> {
  return startDocstore();
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
