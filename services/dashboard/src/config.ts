import { createHmac } from 'node:crypto';
import { ConfigError, EnvReader, readShutdownGraceMs, type LogLevel } from '@billing/runtime';

export interface DashboardConfig {
  port: number;
  host: string;
  logLevel: LogLevel;
  /** The other services' admin token: what operators sign in with, and what is sent to the APIs. */
  adminToken: string;
  /**
   * Base URLs of the services whose HTTP APIs the dashboard reads (never their databases); the
   * gateway's only for looking up missed Stripe events (`POST /admin/reconcile`).
   */
  upstreams: { orders: string; licensing: string; notifications: string; gateway: string };
  /** Per request to another service. */
  upstreamTimeoutMs: number;
  /** HMAC key of the session cookie and the CSRF tokens. */
  sessionKey: Buffer;
  sessionTtlMs: number;
  /** Adds `Secure` to the cookies: on whenever the dashboard is reached over HTTPS. */
  secureCookie: boolean;
  shutdownGraceMs: number;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const HTTP = ['http:', 'https:'] as const;

/**
 * Without `DASHBOARD_SESSION_SECRET` the cookie key is derived from the admin token, so every
 * replica signs alike and rotating the token signs every operator out.
 */
function sessionKeyOf(reader: EnvReader, adminToken: string): Buffer {
  const secret = reader.optionalString('DASHBOARD_SESSION_SECRET');
  if (secret !== undefined && secret.length < 32) {
    throw new ConfigError('DASHBOARD_SESSION_SECRET', 'must be at least 32 characters');
  }
  return createHmac('sha256', secret ?? adminToken)
    .update('billing-dashboard-session-v1')
    .digest();
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<DashboardConfig> {
  const reader = new EnvReader(env);
  const adminToken = reader.string('ADMIN_API_TOKEN');
  if (adminToken.length < 16) throw new ConfigError('ADMIN_API_TOKEN', 'must be at least 16 characters');
  const url = (name: string, fallback: string) => reader.url(name, fallback, HTTP).replace(/\/+$/, '');
  return Object.freeze({
    port: reader.port('DASHBOARD_PORT', 3005),
    host: reader.string('DASHBOARD_HOST', '0.0.0.0'),
    logLevel: reader.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    adminToken,
    upstreams: Object.freeze({
      orders: url('ORDERS_URL', 'http://127.0.0.1:3002'),
      licensing: url('LICENSING_URL', 'http://127.0.0.1:3003'),
      notifications: url('NOTIFICATIONS_URL', 'http://127.0.0.1:3004'),
      gateway: url('GATEWAY_URL', 'http://127.0.0.1:3001'),
    }),
    upstreamTimeoutMs: reader.int('DASHBOARD_UPSTREAM_TIMEOUT_MS', 10_000, { min: 100, max: 120_000 }),
    sessionKey: sessionKeyOf(reader, adminToken),
    sessionTtlMs: reader.int('DASHBOARD_SESSION_TTL_MS', 8 * 3600_000, { min: 60_000, max: 7 * 86_400_000 }),
    secureCookie: reader.bool('DASHBOARD_SECURE_COOKIE', reader.raw('NODE_ENV') === 'production'),
    shutdownGraceMs: readShutdownGraceMs(reader),
  });
}
