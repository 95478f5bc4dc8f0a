import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHttpApp, type HttpApp, type Logger } from '@billing/runtime';
import { Sessions } from './auth/session';
import type { DashboardConfig } from './config';
import { readCookies } from './http/cookies';
import { formOf, registerFormParser } from './http/forms';
import { securityHeaders } from './http/security-headers';
import { registerAuthRoutes, registerLogoutRoute, requireSession } from './routes/auth.routes';
import { SESSION_COOKIE, sendHtml, sessionOf, type RouteDeps } from './routes/context';
import { registerLicensePages } from './routes/licenses.routes';
import { registerOrderPages } from './routes/orders.routes';
import { registerOverviewRoutes } from './routes/overview.routes';
import { registerParkedPages } from './routes/parked.routes';
import { registerStripeEventPages } from './routes/stripe-events.routes';
import { registerStripeReplayActions } from './routes/stripe-replay.routes';
import { registerWebhookPages } from './routes/webhooks.routes';
import { UpstreamError } from './upstream/api-client';
import { upstreams, type Upstreams } from './upstream/services';
import { problemPage } from './views/layout';
import { STYLESHEET } from './views/styles';

export interface DashboardDeps {
  config: Readonly<DashboardConfig>;
  logger: Logger;
  /** The other services' APIs; by default over HTTP at the configured URLs. */
  api?: Upstreams;
  clock?: () => Date;
}

/** Every POST of a signed-in page must carry the session's CSRF token (SameSite is the second lock). */
function requireCsrf(deps: RouteDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST') return;
    if (deps.sessions.csrfMatches(sessionOf(request), formOf(request.body).csrf)) return;
    request.log.warn('POST refused: CSRF token missing or wrong');
    return sendHtml(
      reply,
      problemPage({
        title: 'Refused',
        message: 'The form was not sent from this dashboard. Reload the page and try again.',
      }),
      403,
    );
  };
}

/** One place that turns errors into pages; the text of unexpected ones stays in the logs. */
function pageErrors(deps: RouteDeps) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const session = deps.sessions.read(readCookies(request.headers.cookie)[SESSION_COOKIE]);
    const show = (status: number, title: string, message: string) =>
      sendHtml(reply, problemPage({ title, message, csrf: session?.csrf }), status);
    if (err instanceof UpstreamError) {
      request.log.warn({ service: err.service, status: err.status, code: err.code }, 'service call failed');
      return err.status === null
        ? show(504, 'Service unavailable', `The ${err.service} service did not answer. Try again shortly.`)
        : show(502, 'Service error', `The ${err.service} service answered ${err.status} (${err.code}).`);
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      request.log.warn({ reason: err.message }, 'request rejected');
      return show(err.statusCode, 'Bad request', 'The request was not understood.');
    }
    request.log.error({ err }, 'request failed');
    return show(
      500,
      'Something went wrong',
      'The page could not be shown; the error is in the dashboard’s log.',
    );
  };
}

/** Composes the dashboard from its dependencies; nothing listens until `listen`. */
export async function buildDashboardApp(deps: DashboardDeps): Promise<HttpApp> {
  const { config, logger } = deps;
  const routeDeps: RouteDeps = {
    config,
    logger,
    api: deps.api ?? upstreams(config),
    sessions: new Sessions(config.sessionKey, config.sessionTtlMs, deps.clock),
  };
  // Ready as soon as it listens: a service that is down shows as such on the pages.
  const app = createHttpApp({ logger, readiness: {}, bodyLimit: 64 * 1024 });

  app.get('/static/dashboard.css', { logLevel: 'warn' }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );

  await app.register(async (pages: FastifyInstance) => {
    registerFormParser(pages);
    pages.addHook('onSend', securityHeaders);
    pages.setErrorHandler(pageErrors(routeDeps));
    registerAuthRoutes(pages, routeDeps);
    await pages.register(async (signedIn: FastifyInstance) => {
      signedIn.addHook('onRequest', requireSession(routeDeps));
      signedIn.addHook('preHandler', requireCsrf(routeDeps));
      registerLogoutRoute(signedIn, routeDeps);
      registerOverviewRoutes(signedIn, routeDeps);
      registerOrderPages(signedIn, routeDeps);
      registerLicensePages(signedIn, routeDeps);
      registerWebhookPages(signedIn, routeDeps);
      registerStripeEventPages(signedIn, routeDeps);
      registerStripeReplayActions(signedIn, routeDeps);
      registerParkedPages(signedIn, routeDeps);
    });
  });
  return app;
}
