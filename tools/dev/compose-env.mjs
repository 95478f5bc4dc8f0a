// Prepares `docker compose up` (`npm run compose:env`): the secrets compose requires, generated
// once into the git-ignored .env exactly as `npm start` does (a value already in .env or the
// environment is kept), and nats-auth.conf, the NATS users the nats container loads with them.
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadEnv } from './env.mjs';
import { NATS_AUTH_FILE, REPO, writeNatsAuth } from './nats-config.mjs';

const envFile = path.join(REPO, '.env');
const { env, generated } = loadEnv(envFile);

// `npm start` takes the key from its stripe-mock; compose needs one in .env. stripe-mock accepts
// any sk_test_ key, so a random one keeps a literal key out of docker-compose.yml.
if (!env.STRIPE_SECRET_KEY) {
  env.STRIPE_SECRET_KEY = `sk_test_${randomBytes(16).toString('hex')}`;
  const text = existsSync(envFile) ? readFileSync(envFile, 'utf8') : '';
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  const lines = `# For stripe-mock (docker-compose)\nSTRIPE_SECRET_KEY=${env.STRIPE_SECRET_KEY}\n`;
  appendFileSync(envFile, `${separator}${lines}`, { mode: 0o600 });
  generated.push('STRIPE_SECRET_KEY');
}

writeNatsAuth(env);

const rel = (file) => path.relative(process.cwd(), file) || file;
console.log(
  [
    generated.length > 0
      ? `generated ${generated.join(', ')} into ${rel(envFile)}`
      : `${rel(envFile)}: complete`,
    `wrote ${rel(NATS_AUTH_FILE)} (NATS users for gateway, orders, licensing, notifications and ops)`,
    'next: docker compose up --build',
  ].join('\n'),
);
