// Store comparison: the operations the services' hot paths run, against each candidate for the
// embedded default store, on an empty collection and on one holding `--docs` documents, so that a
// cost growing with history shows as a ratio. Candidates: docstore (tools/docstore, the default),
// and, when built (`bash tools/infra/install.sh ferretdb`), FerretDB 1.24 on SQLite and, where
// PostgreSQL's server binaries are installed, FerretDB 1.24 on PostgreSQL.
//
//   npm run bench:store [-- --docs 20000 --ops 500 --stores docstore,ferretdb-sqlite,ferretdb-pg]
//
// Per operation it prints the median wall time and the store's CPU time (all of its processes,
// PostgreSQL's included), both per operation.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, '.tools', 'bin', name);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const DOCS = Number(option('docs', 20_000));
const OPS = Number(option('ops', 500));
const STORES = option('stores', 'docstore,ferretdb-sqlite,ferretdb-pg').split(',');

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function waitForPort(port, what) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not open port ${port}`);
}

/** CPU milliseconds (user + system) of a process. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** A process and all of its descendants (PostgreSQL forks one backend per connection). */
function processTree(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const walk = (p) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

// PostgreSQL refuses to run as root: run its programs as the `postgres` user then.
const asPostgres = (cmd, args) =>
  process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];

function start(cmd, args, env = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  child.on('exit', (code) => {
    if (code && !child.stopping) console.error(`${cmd} exited ${code}: ${stderr}`);
  });
  return child;
}

function stop(child) {
  if (!child || child.exitCode !== null) return Promise.resolve();
  child.stopping = true;
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** Starts one candidate; returns its URL, the pids to meter, and a stop function. */
async function startStore(kind) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `store-bench-${kind}-`));
  const port = await freePort();
  const cleanup = [];
  let main;
  if (kind === 'docstore') {
    main = start(bin('docstore'), ['-listen', `127.0.0.1:${port}`, '-data', dir]);
  } else if (kind === 'ferretdb-sqlite') {
    main = start(bin('ferretdb'), ['-listen', `127.0.0.1:${port}`, '-data', dir]);
  } else if (kind === 'ferretdb-pg') {
    const pgPort = await freePort();
    const pgData = path.join(dir, 'pg');
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
    execFileSync(
      ...asPostgres(path.join(PG_BIN, 'initdb'), ['-D', pgData, '-U', 'bench', '--auth=trust', '-E', 'UTF8']),
      { stdio: 'ignore' },
    );
    const pg = start(
      ...asPostgres(path.join(PG_BIN, 'postgres'), [
        '-D',
        pgData,
        '-p',
        String(pgPort),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
      ]),
    );
    cleanup.push(() => stop(pg));
    await waitForPort(pgPort, 'postgres');
    await new Promise((r) => setTimeout(r, 500));
    execFileSync(path.join(PG_BIN, 'createdb'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(pgPort),
      '-U',
      'bench',
      'ferretdb',
    ]);
    main = start(bin('ferretdb'), [
      '-listen',
      `127.0.0.1:${port}`,
      '-postgresql-url',
      `postgres://bench@127.0.0.1:${pgPort}/ferretdb`,
    ]);
    cleanup.push(() => undefined);
    main.pgPid = pg.pid;
  }
  await waitForPort(port, kind);
  const pids = () => [main.pid, ...(main.pgPid ? processTree(main.pgPid) : [])];
  return {
    url: `mongodb://127.0.0.1:${port}`,
    cpu: () => pids().reduce((sum, pid) => sum + cpuMs(pid), 0),
    async stop() {
      await stop(main);
      for (const fn of cleanup.reverse()) await fn();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function available(kind) {
  if (kind === 'docstore') return existsSync(bin('docstore'));
  if (kind === 'ferretdb-sqlite') return existsSync(bin('ferretdb'));
  return existsSync(bin('ferretdb')) && existsSync(path.join(PG_BIN, 'postgres'));
}

const pad = 'x'.repeat(900);
const doc = (i, now) => ({
  _id: `msg_${i}`,
  endpointId: `ep_${i % 50}`,
  eventId: `evt_${i}`,
  status: i % 100 === 0 ? 'pending' : 'delivered',
  nextAttemptAt: i % 100 === 0 ? new Date(now + (i % 7) * 1000) : null,
  createdAt: new Date(now - i * 1000),
  body: pad,
});

/** The operations, each run OPS times: the shapes of the services' hot-path queries. */
function operations(col, base) {
  let n = 0;
  return {
    'insert one': () => col.insertOne(doc(base + n++, Date.now())),
    'find by _id': (i) => col.findOne({ _id: `msg_${i}` }),
    'find by indexed field': (i) => col.findOne({ eventId: `evt_${i}` }),
    'update by _id': (i) => col.updateOne({ _id: `msg_${i}` }, { $set: { lastError: `e${i}` } }),
    'due poll (1% pending)': () =>
      col
        .find({ status: 'pending', nextAttemptAt: { $lte: new Date(Date.now() + 10_000) } })
        .sort({ nextAttemptAt: 1 })
        .limit(10)
        .toArray(),
  };
}

async function measure(store, docs) {
  const client = await new MongoClient(store.url).connect();
  const col = client.db(`bench_${docs}`).collection('messages');
  await col.createIndex({ eventId: 1 }, { unique: true });
  await col.createIndex({ status: 1, nextAttemptAt: 1 });
  const now = Date.now();
  for (let i = 0; i < docs; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(i + 1000, docs); j++) batch.push(doc(j, now));
    await col.insertMany(batch, { ordered: false });
  }
  // Seed the ids the lookups use, spread over the whole collection.
  const seeded = Math.max(docs, OPS);
  for (let i = docs; i < seeded; i++) await col.insertOne(doc(i, now));
  const results = {};
  for (const [name, op] of Object.entries(operations(col, seeded + 1))) {
    for (let i = 0; i < 20; i++) await op(i); // warm-up
    const times = [];
    const cpu0 = store.cpu();
    for (let i = 0; i < OPS; i++) {
      const t0 = performance.now();
      await op(Math.floor((i * seeded) / OPS));
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    results[name] = { wallMs: times[Math.floor(times.length / 2)], cpuMs: (store.cpu() - cpu0) / OPS };
  }
  await client.close();
  return results;
}

const fmt = (x) => (x >= 10 ? x.toFixed(1) : x.toFixed(2));

async function main() {
  console.log(`store comparison: ${OPS} operations each, on 0 and ${DOCS} documents of ~1 KB\n`);
  for (const kind of STORES) {
    if (!available(kind)) {
      console.log(`${kind}: not available (build with: bash tools/infra/install.sh ferretdb), skipped\n`);
      continue;
    }
    const store = await startStore(kind);
    try {
      const empty = await measure(store, 0);
      const full = await measure(store, DOCS);
      console.log(kind);
      console.log(
        `  ${'operation'.padEnd(24)} ${'wall ms (empty)'.padStart(16)} ${`wall ms (${DOCS})`.padStart(16)} ${'cpu ms (empty)'.padStart(15)} ${`cpu ms (${DOCS})`.padStart(15)} ${'ratio'.padStart(6)}`,
      );
      for (const name of Object.keys(empty)) {
        const a = empty[name];
        const b = full[name];
        console.log(
          `  ${name.padEnd(24)} ${fmt(a.wallMs).padStart(16)} ${fmt(b.wallMs).padStart(16)} ${fmt(a.cpuMs).padStart(15)} ${fmt(b.cpuMs).padStart(15)} ${(b.wallMs / a.wallMs).toFixed(1).padStart(6)}`,
        );
      }
      console.log('');
    } finally {
      await store.stop();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
