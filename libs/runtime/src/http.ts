import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, UnauthorizedError } from './errors';
import type { Logger } from './logger';

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

  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of Object.entries(options.readiness)) {
      checks[name] = await Promise.resolve()
        .then(check)
        .catch(() => false);
    }
    const ready = Object.values(checks).every(Boolean);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });

  return app;
}

/** Fastify's form: the proxies' addresses, or for a hop count which hops (0 = the TCP peer) to trust. */
function trustProxySetting(
  trust: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return typeof trust === 'object' ? [...trust] : trust;
}

/**
 * Hook requiring `Authorization: Bearer <token>`, compared in constant time. Routes take it as
 * `onRequest`, so an unauthenticated request is refused before its body is read or validated.
 */
export function requireBearer(token: string) {
  const expected = Buffer.from(token);
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const given = Buffer.from(match?.[1] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthorizedError();
  };
}
