import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@billing/runtime';
import type { Session, Sessions } from '../auth/session';
import type { DashboardConfig } from '../config';
import { UpstreamError } from '../upstream/api-client';
import type { Upstreams } from '../upstream/services';
import type { Html } from '../views/html';
import { page, type NoticeKey, type PageOptions } from '../views/layout';

/** What every page route gets. */
export interface RouteDeps {
  config: Pick<DashboardConfig, 'secureCookie' | 'adminToken'>;
  logger: Logger;
  api: Upstreams;
  sessions: Sessions;
}

export const SESSION_COOKIE = 'dashboard_session';
export const LOGIN_COOKIE = 'dashboard_login';

const sessions = new WeakMap<FastifyRequest, Session>();

export function setSession(request: FastifyRequest, session: Session): void {
  sessions.set(request, session);
}

/** The signed-in session (every route behind the session hook has one). */
export function sessionOf(request: FastifyRequest): Session {
  const session = sessions.get(request);
  if (!session) throw new Error('route registered outside the signed-in scope');
  return session;
}

export function sendHtml(reply: FastifyReply, markup: Html, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(markup.value);
}

/** After a POST: 303, so reloading the page it lands on repeats nothing. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.status(303).header('location', location).send();
}

/** A query parameter as one string (a name given twice arrives as a list: the first counts). */
export function queryParam(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  const one: unknown = Array.isArray(value) ? value[0] : value;
  return typeof one === 'string' ? one : undefined;
}

const CODE = /^[a-z0-9_]{1,64}$/;
const SERVICES = new Set(['dashboard', 'gateway', 'orders', 'licensing', 'notifications']);
const DETAIL = /^[A-Za-z0-9 ,.:()]{1,120}$/;

/** A signed-in page with the notice or failure its query names (`done`, `failed` and `by`, `detail`). */
export function renderPage(
  request: FastifyRequest,
  reply: FastifyReply,
  options: Omit<PageOptions, 'csrf'>,
  status = 200,
): FastifyReply {
  const [done, failed, by, extra] = ['done', 'failed', 'by', 'detail'].map((n) => queryParam(request, n));
  const failure =
    failed && CODE.test(failed) && by && SERVICES.has(by) ? { code: failed, service: by } : undefined;
  const detail = extra && DETAIL.test(extra) ? extra : undefined;
  return sendHtml(
    reply,
    page({ ...options, csrf: sessionOf(request).csrf, notice: done, failure, detail }),
    status,
  );
}

/**
 * Runs an action against another service and redirects back to `location` with its notice, or
 * with the service's error code when it refused (a 4xx: the operator can act on it). Failures
 * without an answer go to the error handler.
 */
export async function act(
  reply: FastifyReply,
  location: string,
  done: NoticeKey,
  action: () => Promise<string | void>,
): Promise<FastifyReply> {
  const sep = location.includes('?') ? '&' : '?';
  try {
    const detail = await action();
    const extra = detail ? `&detail=${encodeURIComponent(detail)}` : '';
    return seeOther(reply, `${location}${sep}done=${done}${extra}`);
  } catch (err) {
    if (err instanceof UpstreamError && err.status !== null && err.status < 500) {
      return seeOther(reply, `${location}${sep}failed=${encodeURIComponent(err.code)}&by=${err.service}`);
    }
    throw err;
  }
}

/** Settles each call, so one service down leaves the rest of a page readable. */
export async function settled<T>(
  call: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await call };
  } catch (err) {
    const error =
      err instanceof UpstreamError
        ? `${err.service}: ${err.status === null ? 'no answer' : `${err.status} ${err.code}`}`
        : 'unexpected error';
    return { ok: false, error };
  }
}
