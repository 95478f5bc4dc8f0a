// Brings the whole system up on loopback for development (`npm start` runs it after
// tools/infra/install.sh and the build):
//
//   infrastructure  nats-server (JetStream), docstore, stripe-mock, the SMTP catcher;
//                   each skipped when its URL (NATS_URL, MONGO_URL, STRIPE_API_URL, SMTP_URL) is set
//   services        gateway, orders, licensing, notifications, dashboard from services/<name>/dist/main.js
//
//   node tools/dev/start.mjs [--infra-only]
//
// Infrastructure output goes to .data/logs/<name>.log, service output to this terminal. Ctrl-C
// stops the services first, then the infrastructure.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnv, setDefault } from './env.mjs';
import { writeNatsConfig } from './nats-config.mjs';
import {
  isListening,
  killAll,
  spawnLogged,
  spawnPrefixed,
  stopAll,
  waitForHttp,
  waitForPort,
} from './processes.mjs';

const HOST = '127.0.0.1';
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DATA = path.join(REPO, '.data');
const LOGS = path.join(DATA, 'logs');
const BIN = path.join(REPO, '.tools/bin');

const SERVICES = [
  { name: 'gateway', portVar: 'GATEWAY_PORT', port: '3001' },
  { name: 'orders', portVar: 'ORDERS_PORT', port: '3002' },
  { name: 'licensing', portVar: 'LICENSING_PORT', port: '3003' },
  { name: 'notifications', portVar: 'NOTIFICATIONS_PORT', port: '3004' },
  // The operators' web UI: reads the three services above over HTTP (no NATS, no database).
  { name: 'dashboard', portVar: 'DASHBOARD_PORT', port: '3005' },
];

/**
 * Infrastructure, in start order. `ports` are checked to be free first: otherwise a leftover
 * process from an earlier run would answer the readiness probe while ours fails to bind.
 */
function infrastructure(env) {
  const catcherSmtp = setDefault(env, 'SMTP_CATCHER_PORT', '1025');
  const catcherHttp = setDefault(env, 'SMTP_CATCHER_HTTP_PORT', '1080');
  return [
    {
      name: 'nats',
      urlVar: 'NATS_URL',
      command: path.join(BIN, 'nats-server'),
      args: [
        '-c',
        writeNatsConfig(env),
        '-a',
        HOST,
        '-p',
        '4222',
        '-js',
        '-sd',
        path.join(DATA, 'nats'),
        '-m',
        '8222',
      ],
      ports: [4222, 8222],
      // Each service connects with its own identity (serviceEnv); this is only for the summary.
      provides: { NATS_URL: `nats://${HOST}:4222` },
      links: { 'NATS monitoring': `http://${HOST}:8222` },
    },
    {
      name: 'docstore',
      urlVar: 'MONGO_URL',
      command: path.join(BIN, 'docstore'),
      args: ['-listen', `${HOST}:27017`, '-data', path.join(DATA, 'docstore')],
      ports: [27017],
      provides: { MONGO_URL: `mongodb://${HOST}:27017` },
      links: { 'MongoDB protocol (docstore)': `mongodb://${HOST}:27017` },
    },
    {
      name: 'stripe-mock',
      urlVar: 'STRIPE_API_URL',
      command: path.join(BIN, 'stripe-mock'),
      args: ['-http-addr', `${HOST}:12111`, '-https-addr', `${HOST}:12112`],
      ports: [12111],
      // stripe-mock accepts any test-mode key.
      provides: { STRIPE_API_URL: `http://${HOST}:12111`, STRIPE_SECRET_KEY: 'sk_test_123' },
      links: { 'Stripe API (mock)': `http://${HOST}:12111` },
    },
    {
      name: 'smtp-catcher',
      urlVar: 'SMTP_URL',
      command: process.execPath,
      args: [path.join(REPO, 'tools/smtp-catcher/catcher.mjs')],
      ports: [Number(catcherSmtp), Number(catcherHttp)],
      provides: { SMTP_URL: `smtp://${HOST}:${catcherSmtp}` },
      links: { 'Mail (caught, not sent)': `http://${HOST}:${catcherHttp}` },
    },
  ];
}

/**
 * A service's environment: its own NATS identity (`<SERVICE>_NATS_URL` when set, for a NATS run
 * elsewhere; else ours), unless NATS_URL was given for all.
 */
function serviceEnv(env, service, ownNats) {
  const own = env[`${service.toUpperCase()}_NATS_URL`];
  const password = env[`NATS_${service.toUpperCase()}_PASSWORD`];
  const natsUrl = own ?? (ownNats ? `nats://${service}:${password}@${HOST}:4222` : env.NATS_URL);
  return { ...env, NATS_URL: natsUrl };
}

const children = { infra: [], services: [] };
let shuttingDown = false;

async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log('\nstopping services...');
  await stopAll(children.services);
  console.log('stopping infrastructure...');
  await stopAll(children.infra);
  process.exit(code);
}

function onSignal() {
  if (!shuttingDown) return void shutdown(0);
  console.error('second signal: killing everything now');
  killAll([...children.services, ...children.infra]);
  process.exit(1);
}

/** After startup, any exit that shutdown() did not ask for takes the whole system down. */
function watch(child) {
  child.exited.then(() => {
    if (shuttingDown) return;
    const { exitCode, signalCode } = child.proc;
    const where = child.logFile ? ` (log: ${child.logFile})` : '';
    console.error(`\n${child.name} exited unexpectedly (${signalCode ?? `code ${exitCode}`})${where}`);
    void shutdown(1);
  });
}

/** Everything is checked before anything starts, so a conflict leaves nothing half-started. */
async function infrastructureToStart(env) {
  const toStart = [];
  for (const component of infrastructure(env)) {
    if (env[component.urlVar]) {
      console.log(`${component.name}: using ${component.urlVar}=${env[component.urlVar]}`);
      continue;
    }
    if (!existsSync(component.command)) {
      throw new Error(`${component.command} is missing; run: bash tools/infra/install.sh`);
    }
    for (const port of component.ports) {
      if (await isListening(HOST, port)) {
        throw new Error(
          `${component.name}: port ${port} is already in use (an earlier run still up?); stop it or set ${component.urlVar}`,
        );
      }
    }
    toStart.push(component);
  }
  return toStart;
}

async function startInfrastructure(env) {
  const components = await infrastructureToStart(env);
  const started = components.map((component) => {
    const logFile = path.join(LOGS, `${component.name}.log`);
    const child = spawnLogged(component.name, component.command, component.args, { env, cwd: REPO, logFile });
    children.infra.push(child);
    watch(child);
    console.log(`${component.name}: starting, log in ${path.relative(REPO, logFile)}`);
    return { component, child };
  });
  await Promise.all(
    started.map(({ component, child }) =>
      Promise.all(component.ports.map((p) => waitForPort(child, HOST, p))),
    ),
  );
  for (const component of components) {
    for (const [key, value] of Object.entries(component.provides)) setDefault(env, key, value);
  }
  return components;
}

async function startServices(env, ownNats) {
  const width = Math.max(...SERVICES.map((s) => s.name.length));
  const started = [];
  for (const service of SERVICES) {
    const cwd = path.join(REPO, 'services', service.name);
    if (!existsSync(path.join(cwd, 'dist/main.js'))) {
      console.warn(
        `${service.name}: services/${service.name}/dist/main.js not found (not built yet?), skipping`,
      );
      continue;
    }
    const child = spawnPrefixed(service.name, process.execPath, ['dist/main.js'], {
      env: serviceEnv(env, service.name, ownNats),
      cwd,
      width,
    });
    children.services.push(child);
    watch(child);
    started.push({ service, child });
  }
  await Promise.all(
    started.map(({ service, child }) => waitForHttp(child, `http://${HOST}:${env[service.portVar]}/readyz`)),
  );
  return started.map(({ service }) => service);
}

function printSummary(env, infra, services, infraOnly) {
  const rows = [];
  const port = (name) => env[SERVICES.find((s) => s.name === name).portVar];
  const has = (name) => services.some((s) => s.name === name);
  if (has('gateway'))
    rows.push(['Webhook endpoint', `http://${HOST}:${port('gateway')}/api/billing/webhooks`]);
  for (const name of ['orders', 'licensing', 'notifications']) {
    if (has(name))
      rows.push([`${name[0].toUpperCase()}${name.slice(1)} API`, `http://${HOST}:${port(name)}`]);
  }
  if (has('dashboard'))
    rows.push(['Dashboard (sign in with ADMIN_API_TOKEN)', `http://${HOST}:${port('dashboard')}`]);
  for (const component of infra) rows.push(...Object.entries(component.links));

  const width = Math.max(...rows.map(([label]) => label.length));
  const line = '-'.repeat(72);
  const out = [line, infraOnly ? ' Infrastructure is up.' : ' stripe-billing-events is up.', ''];
  out.push(...rows.map(([label, url]) => `   ${label.padEnd(width)}  ${url}`), '');
  if (infraOnly) {
    out.push(' Environment for services started elsewhere (e.g. from an IDE):');
    for (const key of ['MONGO_URL', 'STRIPE_API_URL', 'STRIPE_SECRET_KEY', 'SMTP_URL']) {
      out.push(`   ${key}=${env[key]}`);
    }
    out.push('   NATS_URL=nats://<service>:<NATS_<SERVICE>_PASSWORD>@127.0.0.1:4222 (each its own)');
    out.push(' plus the secrets below (kept in .env).', '');
  }
  out.push(
    `   STRIPE_WEBHOOK_SECRET=${env.STRIPE_WEBHOOK_SECRET}`,
    `   ADMIN_API_TOKEN=${env.ADMIN_API_TOKEN}`,
    `   NATS_OPS_URL=${env.NATS_OPS_URL} (reads every stream, changes nothing)`,
    '',
  );
  out.push(
    ' Forward test-mode events from a Stripe account with the Stripe CLI:',
    `   stripe listen --forward-to localhost:${port('gateway')}/api/billing/webhooks`,
    ' It prints its own whsec_ signing secret: put that in .env as STRIPE_WEBHOOK_SECRET and restart.',
    ' Ctrl-C stops everything.',
    line,
  );
  console.log(out.join('\n'));
}

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--infra-only');
  if (unknown.length > 0) {
    console.error(
      `unknown argument(s): ${unknown.join(' ')}\nusage: node tools/dev/start.mjs [--infra-only]`,
    );
    process.exit(2);
  }
  const infraOnly = args.includes('--infra-only');

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const { env, generated } = loadEnv(path.join(REPO, '.env'));
  if (generated.length > 0) console.log(`generated ${generated.join(', ')} into .env`);
  setDefault(env, 'OUTBOUND_ALLOW_PRIVATE', 'true');
  for (const service of SERVICES) {
    setDefault(env, service.portVar, service.port);
    // Local runs listen on loopback only; containers set 0.0.0.0 themselves.
    setDefault(env, `${service.name.toUpperCase()}_HOST`, '127.0.0.1');
  }
  // The dashboard's view of the services (the gateway's for looking up missed Stripe events).
  for (const name of ['gateway', 'orders', 'licensing', 'notifications']) {
    setDefault(env, `${name.toUpperCase()}_URL`, `http://${HOST}:${env[`${name.toUpperCase()}_PORT`]}`);
  }

  const infra = await startInfrastructure(env);
  const ownNats = infra.some((component) => component.name === 'nats');
  const services = infraOnly ? [] : await startServices(env, ownNats);
  printSummary(env, infra, services, infraOnly);
}

main().catch((err) => {
  console.error(`\nstart failed: ${err.message}`);
  void shutdown(1);
});

// A crash of this script must not leave orphans behind (children run in their own process groups).
process.on('uncaughtException', (err) => {
  console.error(err);
  killAll([...children.services, ...children.infra]);
  process.exit(1);
});
