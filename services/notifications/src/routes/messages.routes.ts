import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { errorResponses, type HttpApp } from '@billing/runtime';
import type { DeliveryAttemptRepository } from '../db/delivery-attempt.repository';
import type { WebhookEndpointRepository } from '../db/webhook-endpoint.repository';
import type { WebhookMessageRepository } from '../db/webhook-message.repository';
import { EndpointDisabledError, EndpointNotFoundError, MessageNotFoundError } from '../errors';
import { AttemptView, MessageView, Replayed } from './schemas';
import { attemptView, messageView } from './views';

export interface MessageRoutesDeps {
  endpoints: WebhookEndpointRepository;
  messages: WebhookMessageRepository;
  attempts: DeliveryAttemptRepository;
  wakeDelivery: () => void;
  auth: (request: FastifyRequest) => Promise<void>;
  now?: () => Date;
}

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const tags = ['webhook messages'];

/** One outbound message: its state, every attempt (status, duration, response snippet), replay. */
export function registerMessageRoutes(app: HttpApp, deps: MessageRoutesDeps): void {
  const now = deps.now ?? (() => new Date());
  const onRequest = deps.auth;

  const one = {
    summary: 'One message with every delivery attempt',
    tags,
    params: IdParams,
    response: {
      200: Type.Composite([MessageView, Type.Object({ attemptLog: Type.Array(AttemptView) })]),
      ...errorResponses(400, 401, 404),
    },
  };
  app.get('/webhooks/messages/:id', { onRequest, schema: one }, async (request) => {
    const message = await deps.messages.get(request.params.id);
    if (!message) throw new MessageNotFoundError(request.params.id);
    const attempts = await deps.attempts.listForMessage(message._id);
    return { ...messageView(message), attemptLog: attempts.map(attemptView) };
  });

  app.get(
    '/webhooks/messages/:id/attempts',
    {
      onRequest,
      schema: {
        summary: 'The delivery attempts of a message: status, duration, response snippet',
        tags,
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(AttemptView) }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const message = await deps.messages.get(request.params.id);
      if (!message) throw new MessageNotFoundError(request.params.id);
      return { items: (await deps.attempts.listForMessage(message._id)).map(attemptView) };
    },
  );

  app.post(
    '/webhooks/messages/:id/replay',
    {
      onRequest,
      schema: {
        summary: 'Sends a message again (202: queued; 409: its endpoint is disabled)',
        tags,
        params: IdParams,
        response: { 202: Replayed, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const message = await deps.messages.get(request.params.id);
      if (!message) throw new MessageNotFoundError(request.params.id);
      const endpoint = await deps.endpoints.get(message.endpointId);
      if (!endpoint) throw new EndpointNotFoundError(message.endpointId);
      if (endpoint.status !== 'enabled') throw new EndpointDisabledError(endpoint._id);
      await deps.messages.replay(message._id, now());
      deps.wakeDelivery();
      request.log.info({ messageId: message._id, endpointId: endpoint._id }, 'webhook message replayed');
      return reply.status(202).send({ replayed: 1 });
    },
  );
}
