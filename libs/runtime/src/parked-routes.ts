import { Type, type Static } from '@sinclair/typebox';
import type { HttpApp } from './http';
import type { ParkedFilter, ParkedStore } from './parked';
import type { ParkedReplayer } from './replay';

const Kind = Type.Union([
  Type.Literal('invalid'),
  Type.Literal('permanent'),
  Type.Literal('bug'),
  Type.Literal('exhausted'),
]);

/** Which parked messages; the same fields in a list's query and in a bulk replay's body. */
const Filter = Type.Object(
  {
    consumer: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    kind: Type.Optional(Kind),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
type Filter = Static<typeof Filter>;

function toFilter(f: Filter): ParkedFilter {
  return {
    consumer: f.consumer,
    kind: f.kind,
    since: f.since ? new Date(f.since) : undefined,
    until: f.until ? new Date(f.until) : undefined,
    limit: f.limit,
  };
}

/**
 * Operator routes for parked messages, behind the given auth hook:
 * - `GET /admin/parked?pending=&consumer=&kind=&since=&until=&limit=`: newest first;
 * - `GET /admin/parked/summary`: those not replayed yet, counted by consumer and kind;
 * - `POST /admin/parked/:id/replay`: one;
 * - `POST /admin/parked/replay` with a filter body: every matching one not replayed yet, oldest
 *   first, at most `limit` (default 100) per call.
 */
export function registerParkedRoutes(
  app: HttpApp,
  deps: {
    store: ParkedStore;
    replayer: ParkedReplayer;
    auth: (request: import('fastify').FastifyRequest) => Promise<void>;
  },
): void {
  const onRequest = deps.auth;
  app.get(
    '/admin/parked',
    {
      onRequest,
      schema: {
        querystring: Type.Composite([Filter, Type.Object({ pending: Type.Optional(Type.Boolean()) })], {
          additionalProperties: false,
        }),
      },
    },
    async (request) => {
      const { pending, ...filter } = request.query;
      return { items: await deps.store.list({ ...toFilter(filter), pendingOnly: pending }) };
    },
  );

  app.get('/admin/parked/summary', { onRequest }, async () => {
    const rows = await deps.store.summary();
    return { total: rows.reduce((sum, r) => sum + r.count, 0), byConsumerAndKind: rows };
  });

  app.post(
    '/admin/parked/:id/replay',
    { onRequest, schema: { params: Type.Object({ id: Type.String() }) } },
    async (request, reply) => {
      const outcome = await deps.replayer.replayOne(request.params.id);
      return reply.status(outcome.status === 'retry' ? 409 : 200).send({ outcome });
    },
  );

  app.post('/admin/parked/replay', { onRequest, schema: { body: Type.Optional(Filter) } }, async (request) =>
    deps.replayer.replayMatching(toFilter(request.body ?? {})),
  );
}
