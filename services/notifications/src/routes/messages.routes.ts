import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { HttpApp } from '@billing/runtime';
import type { DeliveryAttemptRepository } from '../db/delivery-attempt.repository';
import type { WebhookEndpointRepository } from '../db/webhook-endpoint.repository';
import type { WebhookMessageRepository } from '../db/webhook-message.repository';
import { EndpointDisabledError, EndpointNotFoundError, MessageNotFoundError } from '../errors';
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

/** One outbound message: its state, every attempt (status, duration, response snippet), replay. */
export function registerMessageRoutes(app: HttpApp, deps: MessageRoutesDeps): void {
  const now = deps.now ?? (() => new Date());
  const preHandler = deps.auth;

  app.get('/webhooks/messages/:id', { preHandler, schema: { params: IdParams } }, async (request) => {
    const message = await deps.messages.get(request.params.id);
    if (!message) throw new MessageNotFoundError(request.params.id);
    const attempts = await deps.attempts.listForMessage(message._id);
    return { ...messageView(message), attemptLog: attempts.map(attemptView) };
  });

  app.get(
    '/webhooks/messages/:id/attempts',
    { preHandler, schema: { params: IdParams } },
    async (request) => {
      const message = await deps.messages.get(request.params.id);
      if (!message) throw new MessageNotFoundError(request.params.id);
      return { items: (await deps.attempts.listForMessage(message._id)).map(attemptView) };
    },
  );

  app.post(
    '/webhooks/messages/:id/replay',
    { preHandler, schema: { params: IdParams } },
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
