import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { STRIPE_EVENT_TYPE_PATTERN } from '@billing/contracts';
import { BadRequestError } from './errors';
import { EVENT_ORDER_PATTERN, type HandledLog } from './handled';
import type { HttpApp } from './http';
import { AnswerDate as DateTime, errorResponses } from './openapi';
import type { StripeEventReplayer } from './stripe-replay';

const Outcome = Type.Union([
  Type.Literal('done'),
  Type.Literal('skipped'),
  Type.Literal('retry'),
  Type.Literal('parked'),
]);

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

// Open to fields added later: an answer never drops what the store keeps.
const HandledItem = Type.Object(
  {
    consumer: Type.String(),
    messageId: Type.String(),
    subject: Type.String({ description: 'The Stripe event, or a domain event of its chain' }),
    stripeEventId: Type.String(),
    outcome: Outcome,
    reason: Nullable(Type.String()),
    deliveryCount: Type.Integer({ description: 'Deliveries so far (1 for the first)' }),
    streamSequence: Nullable(
      Type.Integer({ description: 'The message’s sequence in its stream (null in older records)' }),
    ),
    eventType: Nullable(Type.String({ description: 'Stripe events only: the Stripe event type' })),
    customer: Nullable(Type.String({ description: 'Stripe events only: the Stripe customer id' })),
    email: Nullable(Type.String({ description: 'Stripe events only: the customer’s email, lower-cased' })),
    firstAt: DateTime,
    lastAt: DateTime,
  },
  { additionalProperties: true },
);

const StripeEventItem = Type.Object({
  id: Type.String({ description: 'The Stripe event id' }),
  type: Type.String(),
  customer: Nullable(Type.String()),
  email: Nullable(Type.String()),
  createdAt: Type.Unsafe<Date | string>(
    Type.String({ format: 'date-time', description: 'When Stripe created the event' }),
  ),
  firstAt: DateTime,
  lastAt: DateTime,
  consumers: Type.Array(HandledItem, { description: 'What each consumer of this service did with it' }),
});

const StripeEventQuery = Type.Object(
  {
    type: Type.Optional(Type.String({ pattern: STRIPE_EVENT_TYPE_PATTERN, maxLength: 255 })),
    customer: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_]{1,255}$' })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'Created by Stripe at or after (inclusive)' }),
    ),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'Created by Stripe before' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    before: Type.Optional(
      Type.String({ pattern: EVENT_ORDER_PATTERN, description: 'The `nextBefore` of the previous page' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * The handled-message log's routes, behind the given auth hook:
 * - `GET /admin/stripe-events`: the Stripe events this service handled, newest first, by type,
 *   customer, email and creation time, each with what every consumer did with it;
 * - `GET /admin/stripe-events/:id`: what this service's consumers did with one Stripe event and
 *   with every domain event of its chain (they carry its id as their correlationId), oldest first.
 *   An unknown id answers an empty list: other services may know it.
 */
export function registerHandledRoutes(
  app: HttpApp,
  deps: {
    handled: HandledLog;
    /** Where the service consumes Stripe events: `POST /admin/stripe-events/replay`. */
    replayer?: StripeEventReplayer;
    auth: (request: FastifyRequest) => Promise<void>;
  },
): void {
  if (deps.replayer) registerStripeReplayRoute(app, deps.replayer, deps.auth);
  app.get(
    '/admin/stripe-events',
    {
      onRequest: deps.auth,
      schema: {
        summary:
          'The Stripe events this service handled, newest first (by Stripe’s creation time), with what each consumer did',
        tags: ['stripe events'],
        querystring: StripeEventQuery,
        response: {
          200: Type.Object({
            items: Type.Array(StripeEventItem),
            nextBefore: Nullable(Type.String({ description: 'Pass as `before` for the next page' })),
          }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const { since, until, ...filter } = request.query;
      return deps.handled.stripeEvents({
        ...filter,
        since: since ? new Date(since) : undefined,
        until: until ? new Date(until) : undefined,
      });
    },
  );

  app.get(
    '/admin/stripe-events/:id',
    {
      onRequest: deps.auth,
      schema: {
        summary: 'What this service did with a Stripe event and the domain events it caused, oldest first',
        tags: ['stripe events'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) }),
        response: { 200: Type.Object({ items: Type.Array(HandledItem) }), ...errorResponses(400, 401) },
      },
    },
    async (request) => ({ items: await deps.handled.forStripeEvent(request.params.id) }),
  );
}

const StripeReplayBody = Type.Object(
  {
    eventIds: Type.Optional(
      Type.Array(Type.String({ pattern: '^evt_[A-Za-z0-9_]{1,250}$' }), { minItems: 1, maxItems: 1000 }),
    ),
    types: Type.Optional(
      Type.Array(Type.String({ pattern: STRIPE_EVENT_TYPE_PATTERN }), { minItems: 1, maxItems: 20 }),
    ),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'Created by Stripe at or after' })),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'Created by Stripe before' })),
    consumer: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

const StripeReplayAnswer = Type.Object({
  replayed: Type.Integer({ description: 'Events run again' }),
  items: Type.Array(
    Type.Object({
      eventId: Type.String(),
      type: Nullable(Type.String()),
      consumer: Type.String(),
      outcome: Type.Union(
        [
          Type.Literal('done'),
          Type.Literal('skipped'),
          Type.Literal('retry'),
          Type.Literal('failed'),
          Type.Literal('gone'),
        ],
        { description: '`failed`: the handler threw; `gone`: no longer in the stream' },
      ),
      reason: Nullable(Type.String()),
    }),
  ),
});

function registerStripeReplayRoute(
  app: HttpApp,
  replayer: StripeEventReplayer,
  auth: (request: FastifyRequest) => Promise<void>,
): void {
  app.post(
    '/admin/stripe-events/replay',
    {
      onRequest: auth,
      schema: {
        summary:
          "Runs stored Stripe events through this service's consumers again: by id, or by type and creation time",
        description:
          'Oldest first; effects stay exactly once (applied ones are skipped). Each outcome is also ' +
          'written to the handled-message log (`GET /admin/stripe-events`).',
        tags: ['stripe events'],
        body: StripeReplayBody,
        response: { 200: StripeReplayAnswer, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { eventIds, types, since, until, consumer, limit } = request.body;
      if (!eventIds && !types && !since)
        throw new BadRequestError('name the events to replay: eventIds, types or since', 'no_selection');
      if (eventIds && (types || since || until))
        throw new BadRequestError(
          'eventIds cannot be combined with types or a time range',
          'invalid_selection',
        );
      return replayer.replay({
        eventIds,
        types,
        since: since ? new Date(since) : undefined,
        until: until ? new Date(until) : undefined,
        consumer,
        limit,
      });
    },
  );
}
