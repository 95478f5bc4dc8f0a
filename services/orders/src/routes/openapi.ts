import swagger from '@fastify/swagger';
import type { HttpApp } from '@billing/runtime';
import type { FastifyRequest } from 'fastify';

/**
 * Collects the TypeBox schemas of every route registered after it into an OpenAPI 3 document.
 * Must be registered before the routes it describes.
 */
export async function registerOpenApi(app: HttpApp, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Orders service',
        version,
        description:
          'Customers, orders, payments, refunds and the product catalog, built from Stripe events.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }],
    },
  });
}

/** `GET /openapi.json`, behind the same token as the API it describes. */
export function registerOpenApiRoute(app: HttpApp, auth: (request: FastifyRequest) => Promise<void>): void {
  app.get('/openapi.json', { onRequest: auth, schema: { hide: true } }, async () => app.swagger());
}
