// Gateway throughput and latency: signed ~3 KB Stripe events over 50 connections to
//   (a) the gateway, publishing to JetStream (file storage) and answering after the PubAck, and
//   (b) a verify-only baseline (same Fastify app and verification, no publish),
// measured in the same run. NATS runs with the shared settings (tools/infra/nats-server.conf: every
// write synced to disk before the PubAck); `--no-sync` leaves JetStream's default (a flush every
// 2 minutes) to measure what the sync costs.
// Usage: npm run bench:gateway [-- --duration 10 --connections 50 --no-sync]
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .join(' ')
    .split('--')
    .filter(Boolean)
    .map((a) => a.trim().split(/\s+/)),
);
const duration = Number(args.duration ?? 10);
const connections = Number(args.connections ?? 50);
const sync = !('no-sync' in args);
const secret = `whsec_${randomBytes(24).toString('base64')}`;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function start(cmd, argv, env = {}) {
  const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
}

/** A realistic invoice.paid event padded to about 3 KB, unique per request. */
function eventBody() {
  const id = `evt_${randomBytes(12).toString('hex')}`;
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2025-03-31.basil',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: `in_${randomBytes(12).toString('hex')}`,
        object: 'invoice',
        amount_paid: 4900,
        currency: 'usd',
        customer: 'cus_Bench1234567',
        customer_email: 'bench@example.com',
        billing_reason: 'subscription_cycle',
        parent: {
          type: 'subscription_details',
          subscription_details: { subscription: 'sub_Bench1234567', metadata: {} },
        },
        lines: { object: 'list', data: [], has_more: false, url: '/v1/invoices/in_x/lines' },
        status: 'paid',
        footer: 'x'.repeat(2200),
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'invoice.paid',
  });
}

function sign(body) {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

function run(url) {
  return autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const body = eventBody();
          return {
            ...req,
            body,
            headers: { 'content-type': 'application/json', 'stripe-signature': sign(body) },
          };
        },
      },
    ],
  });
}

function summary(name, r) {
  return {
    name,
    'req/s': Math.round(r.requests.average),
    'p50 ms': r.latency.p50,
    'p99 ms': r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    total: r.requests.total,
  };
}

const storeDir = mkdtempSync(path.join(os.tmpdir(), 'bench-nats-'));
const stops = [];
try {
  const [natsPort, gatewayPort, baselinePort] = await Promise.all([freePort(), freePort(), freePort()]);
  stops.push(
    start(path.join(root, '.tools/bin/nats-server'), [
      ...(sync ? ['-c', path.join(root, 'tools/infra/nats-server.conf')] : []),
      '-a',
      '127.0.0.1',
      '-p',
      String(natsPort),
      '-js',
      '-sd',
      storeDir,
    ]),
  );
  const common = { STRIPE_WEBHOOK_SECRET: secret, LOG_LEVEL: 'info', NODE_ENV: 'production' };
  stops.push(
    start('node', [path.join(root, 'services/gateway/dist/main.js')], {
      ...common,
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_HOST: '127.0.0.1',
    }),
  );
  stops.push(
    start('node', [path.join(root, 'bench/verify-only-server.mjs')], {
      ...common,
      PORT: String(baselinePort),
    }),
  );
  await waitForHttp(`http://127.0.0.1:${gatewayPort}/readyz`);
  await waitForHttp(`http://127.0.0.1:${baselinePort}/healthz`);

  const webhookPath = '/api/billing/webhooks';
  console.log(
    `${connections} connections, ${duration} s each, ~${Buffer.byteLength(eventBody())} byte events`,
  );
  await run(`http://127.0.0.1:${baselinePort}${webhookPath}`).then(() => undefined); // warm-up, discarded
  const baseline = summary(
    'verify-only baseline',
    await run(`http://127.0.0.1:${baselinePort}${webhookPath}`),
  );
  const gateway = summary(
    `gateway (JetStream file${sync ? ', synced' : ''}, PubAck before 200)`,
    await run(`http://127.0.0.1:${gatewayPort}${webhookPath}`),
  );
  console.table([baseline, gateway]);
  const ratio = gateway['req/s'] / baseline['req/s'];
  console.log(`throughput ratio gateway/baseline: ${ratio.toFixed(2)} (target >= 0.60)`);
  console.log(`gateway p99: ${gateway['p99 ms']} ms (target <= 20 ms)`);
  if (gateway.non2xx > 0 || gateway.errors > 0 || baseline.non2xx > 0) {
    console.log('WARNING: some requests failed; the figures above are not valid');
    process.exitCode = 1;
  }
} finally {
  for (const stop of stops.reverse()) await stop();
  rmSync(storeDir, { recursive: true, force: true });
}
