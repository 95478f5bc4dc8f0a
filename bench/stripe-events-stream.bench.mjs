// What keeping Stripe events 30+ days costs NATS: the STRIPE_EVENTS stream's duplicate window
// spans Stripe's 30 days, so nats-server holds one de-duplication entry per event of the window
// in memory and rebuilds them when it starts. Publishes N events of ~3 KB with their event id as
// message id into a stream with the contract's 30-day window, and the same events without message
// ids (no de-duplication entries) for comparison, each on its own server, and prints per event:
// server memory (RSS), bytes on disk, and the time the restarted server needs until the stream
// answers.
// Usage: npm run bench:stripe-stream [-- --events 100000]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const events = Number(argv[argv.indexOf('--events') + 1] || 100_000);
const DAY = 86_400_000;

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const rssBytes = (pid) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

function startServer(port, storeDir) {
  const child = spawn(
    path.join(root, '.tools/bin/nats-server'),
    ['-js', '-p', String(port), '-sd', storeDir],
    {
      stdio: 'ignore',
    },
  );
  return {
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

async function connectWhenUp(port) {
  for (;;) {
    try {
      return await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** A ~3 KB body, like a checkout.session.completed event. */
const body = Buffer.from(
  JSON.stringify({ object: 'event', data: { pad: randomBytes(1100).toString('hex') } }),
);

async function measure(withIds) {
  const windowMs = 30 * DAY;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stripe-stream-bench-'));
  const port = await freePort();
  let server = startServer(port, dir);
  let nc = await connectWhenUp(port);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({
    name: 'STRIPE_EVENTS',
    subjects: ['stripe.event.>'],
    max_age: nanos(35 * DAY),
    duplicate_window: nanos(windowMs),
  });
  await new Promise((r) => setTimeout(r, 500));
  const idle = rssBytes(server.pid);
  const js = jetstream(nc);
  const started = Date.now();
  for (let i = 0; i < events; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(events, i + 1000); j++)
      batch.push(
        js.publish('stripe.event.checkout.session.completed', body, {
          ...(withIds && { msgID: `evt_${String(j).padStart(24, '0')}` }),
        }),
      );
    await Promise.all(batch);
  }
  const publishSeconds = (Date.now() - started) / 1000;
  const info = await jsm.streams.info('STRIPE_EVENTS');
  await new Promise((r) => setTimeout(r, 1000));
  const loaded = rssBytes(server.pid);
  await nc.close();
  await server.stop();

  // Restart: the server reads the stream back (and, within the window, its de-duplication ids).
  const restartedAt = Date.now();
  server = startServer(port, dir);
  nc = await connectWhenUp(port);
  const again = await jetstreamManager(nc);
  await again.streams.info('STRIPE_EVENTS');
  const restartMs = Date.now() - restartedAt;
  await new Promise((r) => setTimeout(r, 1000));
  const restartedRss = rssBytes(server.pid);
  // A duplicate of the first event is refused only if the window still holds its id.
  const ack = await jetstream(nc).publish('stripe.event.checkout.session.completed', body, {
    msgID: `evt_${'0'.padStart(24, '0')}`,
  });
  await nc.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    'message ids': withIds ? 'event ids, 30-day window' : 'none',
    events: info.state.messages,
    'publish/s': Math.round(events / publishSeconds),
    'RSS after publish, MB': (loaded / 2 ** 20).toFixed(1),
    'RSS per event, bytes': Math.round((loaded - idle) / events),
    'disk per event, bytes': Math.round(info.state.bytes / events),
    'restart until stream answers, ms': restartMs,
    'RSS after restart, MB': (restartedRss / 2 ** 20).toFixed(1),
    'first event refused again after restart': withIds ? ack.duplicate : 'n/a',
  };
}

const rows = [];
for (const withIds of [true, false]) rows.push(await measure(withIds));
console.table(rows);
