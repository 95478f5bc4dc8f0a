import swagger from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { HttpApp } from './http';

/** What an OpenAPI document says about the API it describes. */
export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
  /**
   * What the bearer token every route requires is (e.g. "ADMIN_API_TOKEN"); routes that are
   * public say so with `security: PUBLIC`. Unset: the API is public.
   */
  bearerToken?: string;
}

/** The JSON error body every route answers with (`errorBody` in http.ts writes it). */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable, for programs (e.g. `not_found`, `invalid_request`)' }),
      message: Type.String({ description: 'For people; 5xx messages never carry details' }),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { description: 'An error' },
);

/** `{ 400: ErrorBody, 404: ErrorBody, ... }`, to spread into a route's `response` schemas. */
export function errorResponses<const C extends number>(...codes: C[]): Record<C, typeof ErrorBody> {
  return Object.fromEntries(codes.map((code) => [code, ErrorBody])) as Record<C, typeof ErrorBody>;
}

/** A date-time in an answer: a handler may give a Date, which the serializer writes as ISO 8601. */
export const AnswerDate = Type.Unsafe<Date | string>(Type.String({ format: 'date-time' }));

/** The answer of a route that answers 204 (its OpenAPI response has no content). */
export const NoContent = Type.Null({ description: 'No content' });

/** A route's `schema.security` in an API behind a token: this one needs none. */
export const PUBLIC: ReadonlyArray<Record<string, readonly string[]>> = [];

/** The security scheme of `GET /metrics` (see `createHttpApp`'s `metrics` option). */
export const METRICS_SECURITY = [{ metricsToken: [] }];

/**
 * Collects the schemas of every route declared after it has loaded (it is a plugin: `await
 * app.after()` first) into an OpenAPI 3.1 document, the same schemas Fastify validates requests
 * and serializes answers with. `createHttpApp` calls it when given `openapi`; a route declared
 * before it loaded would be missing from the document, so declaring one throws.
 */
export function registerOpenApi(app: HttpApp, info: OpenApiInfo): void {
  let collecting = false;
  app.addHook('onRoute', (route) => {
    if (!collecting)
      throw new Error(
        `${route.method} ${route.url} is declared before the OpenAPI plugin loaded: await app.after()`,
      );
  });
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version, description: info.description },
      components: {
        securitySchemes: {
          ...(info.bearerToken && {
            bearerAuth: { type: 'http', scheme: 'bearer', description: info.bearerToken },
          }),
          metricsToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'METRICS_TOKEN, or ADMIN_API_TOKEN where the service has one',
          },
        },
      },
      ...(info.bearerToken && { security: [{ bearerAuth: [] }] }),
    },
  });
  app.after(() => {
    collecting = true;
  });
}

/**
 * `GET /openapi.json`: the document `registerOpenApi` collected, behind `auth` where the API has a
 * token (the document lists every route), public otherwise. Declare it last.
 */
export function registerOpenApiRoute(app: HttpApp, auth?: (request: FastifyRequest) => Promise<void>): void {
  app.get('/openapi.json', { ...(auth && { onRequest: auth }), schema: { hide: true } }, async () =>
    app.swagger(),
  );
}
