import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import {
  freePort,
  newNatsPasswords,
  repoRoot,
  startNatsServer,
  startStore,
  waitFor,
  type LocalServer,
} from '@billing/testkit';

jest.setTimeout(90_000);

const readyz = async (url: string) => {
  const res = await fetch(`${url}/readyz`).catch(() => undefined);
  return res ? { status: res.status, body: (await res.json()) as Record<string, unknown> } : undefined;
};

/** A service process from its build, with the given environment; its output is kept. */
function startService(service: 'gateway' | 'orders', env: Record<string, string>) {
  const output: string[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(repoRoot(), 'services', service, 'dist', 'main.js')],
    {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  return { child, output };
}

describe('a service started while its dependencies are down', () => {
  const servers: LocalServer[] = [];
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.allSettled(servers.map((s) => s.destroy()));
  });

  it('orders waits for NATS, then for its store, answering /readyz 503 meanwhile, and comes up by itself', async () => {
    const [port, natsPort, storePort] = await Promise.all([freePort(), freePort(), freePort()]);
    const url = `http://127.0.0.1:${port}`;
    const passwords = newNatsPasswords();
    const { child, output } = startService('orders', {
      NATS_URL: `nats://orders:${passwords.orders}@127.0.0.1:${natsPort}`,
      ORDERS_MONGO_URL: `mongodb://127.0.0.1:${storePort}/orders_startup`,
      ORDERS_PORT: String(port),
      ORDERS_HOST: '127.0.0.1',
      ADMIN_API_TOKEN: 'startup-test-token-0123456789',
      STRIPE_SECRET_KEY: 'sk_test_startup',
      STRIPE_API_URL: 'http://127.0.0.1:9',
    });
    children.push(child);

    await waitFor(async () => (await readyz(url))?.body.waitingFor === 'NATS', { what: 'waiting for NATS' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await readyz(url))?.status).toBe(503);
    await waitFor(() => output.join('').includes('waiting for a dependency'), { what: 'a log line' });

    servers.push(await startNatsServer({ port: natsPort, passwords }));
    await waitFor(async () => (await readyz(url))?.body.waitingFor === 'the database', {
      what: 'waiting for the store',
      timeoutMs: 20_000,
    });
    expect(child.exitCode).toBeNull();

    servers.push(await startStore({ port: storePort }));
    await waitFor(async () => (await readyz(url))?.status === 200, { what: 'ready', timeoutMs: 30_000 });
  });

  it('the gateway waits for NATS the same way', async () => {
    const [port, natsPort] = await Promise.all([freePort(), freePort()]);
    const url = `http://127.0.0.1:${port}`;
    const passwords = newNatsPasswords();
    const { child } = startService('gateway', {
      NATS_URL: `nats://gateway:${passwords.gateway}@127.0.0.1:${natsPort}`,
      GATEWAY_PORT: String(port),
      GATEWAY_HOST: '127.0.0.1',
      STRIPE_WEBHOOK_SECRET: 'whsec_startup0123456789',
    });
    children.push(child);
    await waitFor(async () => (await readyz(url))?.body.waitingFor === 'NATS', { what: 'waiting for NATS' });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(child.exitCode).toBeNull();
    servers.push(await startNatsServer({ port: natsPort, passwords }));
    await waitFor(async () => (await readyz(url))?.status === 200, { what: 'ready', timeoutMs: 30_000 });
  });
});
