import { Type } from '@sinclair/typebox';
import { Nullable } from '@billing/contracts';
import { AnswerDate } from '@billing/runtime';

/**
 * The answers of the webhook routes (views.ts builds them). Fastify writes an answer with exactly
 * the fields its schema declares, and the OpenAPI document is made from the same schemas.
 */

const Literals = <const T extends string>(values: readonly T[]) =>
  Type.Union(values.map((value) => Type.Literal(value)));

/** An endpoint: never its secrets, only when they were made and expire. */
export const EndpointView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String(), { description: 'Outbound event names, or `["*"]` for all' }),
  description: Type.String(),
  status: Literals(['enabled', 'disabled']),
  disabledReason: Nullable(Literals(['manual', 'failing'])),
  disabledAt: Nullable(AnswerDate),
  failingSince: Nullable(AnswerDate),
  lastError: Nullable(Type.String()),
  secrets: Type.Array(
    Type.Object({
      createdAt: AnswerDate,
      expiresAt: Nullable(AnswerDate),
    }),
  ),
  createdAt: AnswerDate,
  updatedAt: AnswerDate,
});

export const MessageView = Type.Object({
  id: Type.String(),
  eventId: Type.String({ description: 'The `webhook-id` header and the body’s `id`' }),
  event: Type.String(),
  endpointId: Type.String(),
  status: Literals(['pending', 'delivered', 'failed']),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(AnswerDate),
  lastAttemptAt: Nullable(AnswerDate),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  deliveredAt: Nullable(AnswerDate),
  createdAt: AnswerDate,
  payload: Type.Unknown({ description: 'The JSON body every attempt sends' }),
});

export const AttemptView = Type.Object({
  attempt: Type.Integer({ description: 'From 1' }),
  status: Literals(['in_flight', 'succeeded', 'failed', 'abandoned']),
  url: Type.String(),
  statusCode: Nullable(Type.Integer()),
  durationMs: Nullable(Type.Number()),
  responseSnippet: Nullable(Type.String({ description: 'The start of the response body' })),
  error: Nullable(Type.String()),
  startedAt: AnswerDate,
  finishedAt: Nullable(AnswerDate),
});

export const Replayed = Type.Object({ replayed: Type.Integer({ minimum: 0 }) });
