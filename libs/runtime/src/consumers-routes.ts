import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ServiceUnavailableError } from './errors';
import type { HttpApp } from './http';
import type { JetStreamState } from './jetstream-state';
import { AnswerDate as DateTime, errorResponses } from './openapi';

const Count = Type.Integer({ minimum: 0 });
const MaybeDate = Type.Union([DateTime, Type.Null()]);

const ConsumerItem = Type.Object({
  consumer: Type.String({ description: 'The durable consumer' }),
  stream: Type.String(),
  pending: Type.Integer({ minimum: 0, description: 'Stored and not delivered yet: the lag' }),
  ackPending: Type.Integer({
    minimum: 0,
    description: 'Delivered, not acknowledged yet (in flight or waiting for a retry)',
  }),
  redelivered: Type.Integer({ minimum: 0, description: 'Delivered more than once, not acknowledged yet' }),
  waiting: Type.Integer({ minimum: 0, description: 'Pull requests waiting for messages' }),
  lastDelivered: Type.Object({
    streamSequence: Type.Integer({ minimum: 0, description: '0 when nothing was delivered yet' }),
    at: MaybeDate,
  }),
});

const StreamItem = Type.Object({
  stream: Type.String(),
  messages: Count,
  firstAt: Type.Union([DateTime, Type.Null()], { description: 'The oldest message the stream keeps' }),
  subjects: Type.Array(Type.Object({ subject: Type.String(), messages: Count }), {
    description: 'Messages kept, by subject, most first (for Stripe events: received, by event type)',
  }),
});

/**
 * `GET /admin/consumers`, behind the given auth hook: JetStream's view of this service's durable
 * consumers (lag, messages in flight and redelivered, the last delivery) and of the streams they
 * read (messages kept per subject). Read at most every two seconds (see JetStreamState); a
 * consumer JetStream does not know at the moment is listed in `missing`.
 */
export function registerConsumerRoutes(
  app: HttpApp,
  deps: { jetstream: JetStreamState; auth: (request: FastifyRequest) => Promise<void> },
): void {
  app.get(
    '/admin/consumers',
    {
      onRequest: deps.auth,
      schema: {
        summary: 'This service’s durable consumers and the streams they read, as JetStream sees them',
        tags: ['consumers'],
        response: {
          200: Type.Object({
            consumers: Type.Array(ConsumerItem),
            missing: Type.Array(Type.String(), { description: 'Consumers JetStream does not know now' }),
            streams: Type.Array(StreamItem),
          }),
          ...errorResponses(401, 503),
        },
      },
    },
    async () => {
      try {
        const [states, streams] = await Promise.all([
          deps.jetstream.consumerStates(),
          deps.jetstream.streamSubjects(),
        ]);
        return { ...states, streams };
      } catch (err) {
        throw new ServiceUnavailableError('JetStream did not answer', 'jetstream_unavailable', {
          cause: err,
        });
      }
    },
  );
}
