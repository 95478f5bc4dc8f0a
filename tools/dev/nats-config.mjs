// The nats-server configuration for local runs: the identities and permissions declared in
// libs/contracts, with the passwords kept in .env (see env.mjs). `npm start` (start.mjs) and
// `npm run compose:env` (compose-env.mjs) both write it from here.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { natsAuthorizationConfig } from '@billing/contracts';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DATA = path.join(REPO, '.data');

/** Mounted into the nats container by docker-compose.yml; git-ignored, it holds the passwords. */
export const NATS_AUTH_FILE = path.join(REPO, 'nats-auth.conf');

/**
 * Writes the `authorization` block to nats-auth.conf and returns it. Anonymous clients get no
 * user, so nats-server refuses them.
 */
export function writeNatsAuth(env) {
  const passwords = {
    gateway: env.NATS_GATEWAY_PASSWORD,
    orders: env.NATS_ORDERS_PASSWORD,
    licensing: env.NATS_LICENSING_PASSWORD,
    notifications: env.NATS_NOTIFICATIONS_PASSWORD,
    ops: env.NATS_OPS_PASSWORD,
  };
  const missing = Object.keys(passwords).filter((user) => !passwords[user]);
  if (missing.length > 0) {
    const names = missing.map((user) => `NATS_${user.toUpperCase()}_PASSWORD`).join(', ');
    throw new Error(`${names} missing: loadEnv (tools/dev/env.mjs) generates them into .env`);
  }
  const auth = natsAuthorizationConfig(passwords);
  writeFileSync(NATS_AUTH_FILE, auth, { mode: 0o600 });
  return auth;
}

/**
 * The project's nats-server settings (tools/infra/nats-server.conf) plus the authorization block,
 * as .data/nats-server.conf for the nats-server `npm start` runs; returns that file's path.
 */
export function writeNatsConfig(env) {
  const auth = writeNatsAuth(env);
  const file = path.join(DATA, 'nats-server.conf');
  mkdirSync(DATA, { recursive: true });
  const settings = readFileSync(path.join(REPO, 'tools/infra/nats-server.conf'), 'utf8');
  writeFileSync(file, `${settings}\n${auth}`, { mode: 0o600 });
  return file;
}
