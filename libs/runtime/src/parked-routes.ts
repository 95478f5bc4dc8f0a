import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from '@billing/contracts';
import type { HttpApp } from './http';
import { AnswerDate as DateTime, ErrorBody, errorResponses } from './openapi';
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

// Open to fields added later: an answer never drops what the store keeps.
const ParkedItem = Type.Object(
  {
    id: Type.String(),
    consumer: Type.String(),
    subject: Type.String(),
    messageId: Nullable(Type.String()),
    streamSequence: Type.Integer(),
    storedAt: DateTime,
    data: Type.String({ description: 'The message as it was received' }),
    kind: Kind,
    reason: Type.String(),
    deliveryCount: Type.Integer(),
    parkedAt: DateTime,
    replayedAt: Nullable(DateTime),
    replayResult: Nullable(Type.String()),
    autoReplays: Type.Optional(Type.Integer()),
    nextAutoReplayAt: Type.Optional(Nullable(DateTime)),
  },
  { additionalProperties: true },
);

const Outcome = Type.Object({
  status: Type.Union([Type.Literal('done'), Type.Literal('skipped'), Type.Literal('retry')]),
  reason: Type.Optional(Type.String()),
});

const tags = ['parked messages'];

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
        summary: 'Parked messages, newest first (`pending`: only those not replayed yet)',
        tags,
        querystring: Type.Composite([Filter, Type.Object({ pending: Type.Optional(Type.Boolean()) })], {
          additionalProperties: false,
        }),
        response: { 200: Type.Object({ items: Type.Array(ParkedItem) }), ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { pending, ...filter } = request.query;
      return { items: await deps.store.list({ ...toFilter(filter), pendingOnly: pending }) };
    },
  );

  const Summary = Type.Object({
    total: Type.Integer(),
    byConsumerAndKind: Type.Array(
      Type.Object({ consumer: Type.String(), kind: Kind, count: Type.Integer(), oldestParkedAt: DateTime }),
    ),
  });
  const summary = {
    summary: 'Messages not replayed yet, counted by consumer and kind',
    tags,
    response: { 200: Summary, ...errorResponses(401) },
  };
  app.get('/admin/parked/summary', { onRequest, schema: summary }, async () => {
    const rows = await deps.store.summary();
    return { total: rows.reduce((sum, r) => sum + r.count, 0), byConsumerAndKind: rows };
  });

  app.post(
    '/admin/parked/:id/replay',
    {
      onRequest,
      schema: {
        summary:
          "Replays one message through its consumer's handlers; 409: not applicable yet (an outcome) " +
          'or never (an error, `permanent_failure`)',
        tags,
        params: Type.Object({ id: Type.String() }),
        response: {
          200: Type.Object({ outcome: Outcome }),
          409: Type.Union([Type.Object({ outcome: Outcome }), ErrorBody]),
          ...errorResponses(400, 401, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const outcome = await deps.replayer.replayOne(request.params.id);
      return reply.status(outcome.status === 'retry' ? 409 : 200).send({ outcome });
    },
  );

  const Count = Type.Integer({ minimum: 0 });
  const bulk = {
    summary: 'Replays every matching message not replayed yet, oldest first, at most `limit` (100)',
    tags,
    body: Type.Optional(Filter),
    response: {
      200: Type.Object({
        replayed: Count,
        outcomes: Type.Object({ done: Count, skipped: Count, retry: Count, failed: Count }),
      }),
      ...errorResponses(400, 401),
    },
  };
  app.post('/admin/parked/replay', { onRequest, schema: bulk }, async (request) =>
    deps.replayer.replayMatching(toFilter(request.body ?? {})),
  );
}
