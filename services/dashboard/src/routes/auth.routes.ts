import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tokenMatches } from '../auth/session';
import { readCookies, serializeCookie } from '../http/cookies';
import { formOf } from '../http/forms';
import { loginPage, problemPage } from '../views/layout';
import { LOGIN_COOKIE, SESSION_COOKIE, seeOther, sendHtml, setSession, type RouteDeps } from './context';

/** Only a path on this site (never `//host` or `/\host`, which browsers treat as another site). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000 || !/^\/(?![/\\])[^\s\\]*$/.test(next)) return '/';
  return next.startsWith('/login') || next.startsWith('/logout') ? '/' : next;
}

/**
 * Unauthenticated GETs go to the sign-in page (and back afterwards); unauthenticated POSTs are
 * refused (their form came from a session that ended).
 */
export function requireSession(deps: RouteDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const session = deps.sessions.read(readCookies(request.headers.cookie)[SESSION_COOKIE]);
    if (session) return setSession(request, session);
    if (request.method === 'GET' || request.method === 'HEAD') {
      return seeOther(reply, `/login?next=${encodeURIComponent(safeNext(request.url))}`);
    }
    return sendHtml(
      reply,
      problemPage({
        title: 'Signed out',
        message: 'Your session has ended. Sign in again and repeat the action.',
      }),
      401,
    );
  };
}

/** `GET /login`, `POST /login` (the admin token, checked in constant time), `POST /logout`. */
export function registerAuthRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const cookie = (name: string, value: string, maxAge: number, path = '/') =>
    serializeCookie(name, value, { path, maxAge, secure: deps.config.secureCookie });

  const showLogin = (reply: FastifyReply, next: string, error?: string) => {
    const { nonce, csrf } = deps.sessions.loginChallenge();
    reply.header('set-cookie', cookie(LOGIN_COOKIE, nonce, 3600, '/login'));
    return sendHtml(reply, loginPage({ csrf, next, error }), error ? 401 : 200);
  };

  app.get('/login', async (request, reply) => {
    const next = safeNext((request.query as { next?: string }).next);
    if (deps.sessions.read(readCookies(request.headers.cookie)[SESSION_COOKIE])) return seeOther(reply, next);
    return showLogin(reply, next);
  });

  app.post('/login', async (request, reply) => {
    const form = formOf(request.body);
    const next = safeNext(form.next);
    const nonce = readCookies(request.headers.cookie)[LOGIN_COOKIE];
    if (!deps.sessions.loginCsrfMatches(nonce, form.csrf)) {
      request.log.warn('sign-in refused: form token missing or wrong');
      return showLogin(reply, next, 'The sign-in form expired. Please try again.');
    }
    if (!tokenMatches(deps.config.adminToken, form.token ?? '')) {
      request.log.warn('sign-in refused: wrong admin token');
      return showLogin(reply, next, 'That is not the admin token.');
    }
    const { cookie: value } = deps.sessions.issue();
    reply.header('set-cookie', [
      cookie(SESSION_COOKIE, value, Math.floor(deps.sessions.ttlMs / 1000)),
      cookie(LOGIN_COOKIE, '', 0, '/login'),
    ]);
    request.log.info('operator signed in');
    return seeOther(reply, next);
  });
}

/** `POST /logout`, inside the signed-in scope (so it needs the session's CSRF token). */
export function registerLogoutRoute(app: FastifyInstance, deps: RouteDeps): void {
  app.post('/logout', async (request, reply) => {
    reply.header(
      'set-cookie',
      serializeCookie(SESSION_COOKIE, '', { path: '/', maxAge: 0, secure: deps.config.secureCookie }),
    );
    request.log.info('operator signed out');
    return seeOther(reply, '/login');
  });
}
