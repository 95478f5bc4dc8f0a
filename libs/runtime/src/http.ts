import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError, UnauthorizedError } from './errors';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { ErrorBody, METRICS_SECURITY, PUBLIC, registerOpenApi, type OpenApiInfo } from './openapi';

export type HttpApp = FastifyInstance<
  import('http').Server,
  import('http').IncomingMessage,
  import('http').ServerResponse,
  Logger,
  TypeBoxTypeProvider
>;

export interface HttpOptions {
  logger: Logger;
  /** Whose X-Forwarded-* headers are believed: nobody's, a hop count, or proxy addresses. */
  trustProxy?: TrustProxy;
  /** Largest accepted request body, bytes. */
  bodyLimit?: number;
  /** Longest path parameter, characters (Fastify's default is 100; longer ones answer 404). */
  maxParamLength?: number;
  /** Each check returns true when that dependency is usable; all must pass for /readyz. */
  readiness: Record<string, () => boolean | Promise<boolean>>;
  /**
   * Requests are counted (by route and status) and timed in `metrics`; `GET /metrics` serves them
   * to a bearer of one of `tokens` (unset ones are ignored). With no token, `/metrics` answers 404.
   */
  metrics?: { metrics: Metrics; tokens: ReadonlyArray<string | undefined> };
  /**
   * Describe every route, these included, in an OpenAPI document (see openapi.ts). Its collector
   * is a plugin: `await app.after()` before declaring routes.
   */
  openapi?: OpenApiInfo;
}

/** No proxy (false), the number of proxies in front, or the proxies' addresses and CIDR ranges. */
export type TrustProxy = false | number | readonly string[];

/** The JSON error body every route answers with. */
export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

// Fastify's own errors that are the caller's fault, with the code we answer.
const FASTIFY_CLIENT_ERRORS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

/**
 * A Fastify app with our error mapping (one place), JSON 404s, /healthz and /readyz.
 * 5xx messages are logged but never shown to callers.
 */
export function createHttpApp(options: HttpOptions): HttpApp {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ...(options.maxParamLength !== undefined && {
      routerOptions: { maxParamLength: options.maxParamLength },
    }),
    // Never "trust everything": a client could then pick its own address, and per-client rate
    // limits would mean nothing. Off by default; a hop count or the proxies' addresses otherwise.
    trustProxy: trustProxySetting(options.trustProxy ?? false),
  }).withTypeProvider<TypeBoxTypeProvider>() as HttpApp;

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      if (err.statusCode >= 500) request.log.error({ err }, 'request failed');
      else request.log.warn({ code: err.code, reason: err.message }, 'request rejected');
      const message = err.statusCode >= 500 ? 'service unavailable, try again later' : err.message;
      return reply.status(err.statusCode).send(errorBody(err.code, message, err.details));
    }
    if (err.validation) {
      request.log.warn({ reason: err.message }, 'request rejected');
      return reply.status(400).send(errorBody('invalid_request', err.message));
    }
    const clientCode = err.code ? FASTIFY_CLIENT_ERRORS[err.code] : undefined;
    if (clientCode && err.statusCode && err.statusCode < 500) {
      request.log.warn({ code: clientCode, reason: err.message }, 'request rejected');
      return reply.status(err.statusCode).send(errorBody(clientCode, err.message));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      request.log.warn({ reason: err.message }, 'request rejected');
      return reply.status(err.statusCode).send(errorBody('bad_request', err.message));
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send(errorBody('internal', 'internal error'));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  if (options.openapi) {
    registerOpenApi(app, options.openapi);
    // Once the OpenAPI collector has loaded, so that the document describes them too.
    app.after(() => registerBaseRoutes(app, options));
  } else registerBaseRoutes(app, options);

  return app;
}

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Record(Type.String(), Type.Boolean(), { description: 'Each dependency: usable or not' }),
});
const health = {
  summary: 'Liveness: 200 while the process runs',
  tags: ['probes'],
  security: PUBLIC,
  response: { 200: Type.Object({ status: Type.Literal('ok') }) },
};
const readiness = {
  summary: 'Readiness: 200 when every dependency is usable, else 503',
  tags: ['probes'],
  security: PUBLIC,
  response: { 200: Readiness, 503: Readiness },
};

/** `/healthz`, `/readyz` and, with `metrics`, `/metrics`. */
function registerBaseRoutes(app: HttpApp, options: HttpOptions): void {
  if (options.metrics) registerHttpMetrics(app, options.metrics.metrics, options.metrics.tokens);

  app.get('/healthz', { logLevel: 'warn', schema: health }, async () => ({ status: 'ok' as const }));
  app.get('/readyz', { logLevel: 'warn', schema: readiness }, async (_request, reply) => {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of Object.entries(options.readiness)) {
      checks[name] = await Promise.resolve()
        .then(check)
        .catch(() => false);
    }
    const ready = Object.values(checks).every(Boolean);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
}

/** Fastify's form: the proxies' addresses, or for a hop count which hops (0 = the TCP peer) to trust. */
function trustProxySetting(
  trust: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return typeof trust === 'object' ? [...trust] : trust;
}

/**
 * Hook requiring `Authorization: Bearer <token>` (any one of several), compared in constant time.
 * Routes take it as `onRequest`, so an unauthenticated request is refused before its body is read
 * or validated.
 */
export function requireBearer(token: string | readonly string[]) {
  const expected = (typeof token === 'string' ? [token] : token).map((t) => Buffer.from(t));
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const given = Buffer.from(match?.[1] ?? '');
    // Every token is compared, so the time taken does not tell which one came close.
    let accepted = false;
    for (const e of expected) if (given.length === e.length && timingSafeEqual(given, e)) accepted = true;
    if (!accepted) throw new UnauthorizedError();
  };
}

/**
 * Counts and times every answer by route pattern (never the raw URL: license keys travel in some
 * paths, and the label set must stay bounded), and serves `GET /metrics` to a bearer of a token.
 */
function registerHttpMetrics(
  app: HttpApp,
  metrics: Metrics,
  tokens: ReadonlyArray<string | undefined>,
): void {
  const requests = metrics.counter(
    'billing_http_requests_total',
    'HTTP requests answered, by method, route pattern and status code',
    ['method', 'route', 'code'],
  );
  const duration = metrics.histogram(
    'billing_http_request_duration_seconds',
    'Time from receiving an HTTP request until its answer was sent, by method and route pattern',
    ['method', 'route'],
  );
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, code: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  const accepted = tokens.filter((t): t is string => Boolean(t));
  if (accepted.length === 0) return;
  const schema = {
    summary: 'Prometheus metrics',
    tags: ['metrics'],
    security: METRICS_SECURITY,
    response: {
      200: { description: 'Prometheus text format', content: { 'text/plain': { schema: Type.String() } } },
      401: ErrorBody,
    },
  };
  const onRequest = requireBearer(accepted);
  app.get('/metrics', { logLevel: 'warn', onRequest, schema }, async (_request, reply) => {
    const { contentType, body } = await metrics.exposition();
    return reply.type(contentType).send(body);
  });
}
