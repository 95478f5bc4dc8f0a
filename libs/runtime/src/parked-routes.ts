import { Type } from '@sinclair/typebox';
import type { HttpApp } from './http';
import type { ParkedStore } from './parked';
import type { Outcome } from './runner';

/**
 * Operator routes for parked messages, behind the given auth hook:
 * `GET /admin/parked?pending=true&limit=` and `POST /admin/parked/:id/replay`.
 */
export function registerParkedRoutes(
  app: HttpApp,
  deps: {
    store: ParkedStore;
    replay: (id: string) => Promise<Outcome>;
    auth: (request: import('fastify').FastifyRequest) => Promise<void>;
  },
): void {
  app.get(
    '/admin/parked',
    {
      preHandler: deps.auth,
      schema: {
        querystring: Type.Object({
          pending: Type.Optional(Type.Boolean()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
      },
    },
    async (request) => {
      const items = await deps.store.list({ pendingOnly: request.query.pending, limit: request.query.limit });
      return { items };
    },
  );

  app.post(
    '/admin/parked/:id/replay',
    { preHandler: deps.auth, schema: { params: Type.Object({ id: Type.String() }) } },
    async (request, reply) => {
      const outcome = await deps.replay(request.params.id);
      return reply.status(outcome.status === 'retry' ? 409 : 200).send({ outcome });
    },
  );
}
