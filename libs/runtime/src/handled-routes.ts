import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { HandledLog } from './handled';
import type { HttpApp } from './http';
import { AnswerDate as DateTime, errorResponses } from './openapi';

const Outcome = Type.Union([
  Type.Literal('done'),
  Type.Literal('skipped'),
  Type.Literal('retry'),
  Type.Literal('parked'),
]);

// Open to fields added later: an answer never drops what the store keeps.
const HandledItem = Type.Object(
  {
    consumer: Type.String(),
    messageId: Type.String(),
    subject: Type.String({ description: 'The Stripe event, or a domain event of its chain' }),
    stripeEventId: Type.String(),
    outcome: Outcome,
    reason: Type.Union([Type.String(), Type.Null()]),
    deliveryCount: Type.Integer({ description: 'Deliveries so far (1 for the first)' }),
    firstAt: DateTime,
    lastAt: DateTime,
  },
  { additionalProperties: true },
);

/**
 * `GET /admin/stripe-events/:id`, behind the given auth hook: what this service's consumers did
 * with one Stripe event and with every domain event of its chain (they carry its id as their
 * correlationId), oldest first. An unknown id answers an empty list: other services may know it.
 */
export function registerHandledRoutes(
  app: HttpApp,
  deps: { handled: HandledLog; auth: (request: FastifyRequest) => Promise<void> },
): void {
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
