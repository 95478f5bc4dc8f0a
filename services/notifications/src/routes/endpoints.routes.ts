import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { Nullable, OUTBOUND_EVENT_TYPES, OUTBOUND_EVENTS, isOutboundEventType } from '@billing/contracts';
import { AnswerDate, errorResponses, NoContent, type HttpApp } from '@billing/runtime';
import type { DeliveryAttemptRepository } from '../db/delivery-attempt.repository';
import type { WebhookEndpointRepository } from '../db/webhook-endpoint.repository';
import type { WebhookMessageRepository } from '../db/webhook-message.repository';
import { EndpointDisabledError, EndpointNotFoundError, UnknownEventError, UnsafeUrlError } from '../errors';
import { newEndpointSecret } from '../webhooks/signing';
import { UnsafeDestinationError, checkEndpointUrl } from '../webhooks/url-safety';
import { EndpointView, MessageView, Replayed } from './schemas';
import { endpointView, messageView } from './views';

export interface EndpointRoutesDeps {
  endpoints: WebhookEndpointRepository;
  messages: WebhookMessageRepository;
  attempts: DeliveryAttemptRepository;
  /** Wakes the delivery worker after a replay. */
  wakeDelivery: () => void;
  /** After every change: every replica's in-memory endpoint list is reloaded (EndpointDirectory). */
  endpointsChanged: () => Promise<void>;
  allowPrivate: boolean;
  secretGraceMs: number;
  auth: (request: FastifyRequest) => Promise<void>;
  now?: () => Date;
}

const Url = Type.String({ minLength: 1, maxLength: 2048 });
const Events = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 50 });
const Description = Type.String({ maxLength: 500 });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const tags = ['webhook endpoints'];
/** An operator's change to one endpoint: the endpoint afterwards. */
const change = (summary: string) => ({
  summary,
  tags,
  params: IdParams,
  response: { 200: EndpointView, ...errorResponses(400, 401, 404) },
});

function checkUrl(url: string, allowPrivate: boolean): string {
  try {
    return checkEndpointUrl(url, allowPrivate).toString();
  } catch (err) {
    if (err instanceof UnsafeDestinationError) throw new UnsafeUrlError(err.message);
    throw err;
  }
}

function checkEvents(events: string[]): string[] {
  const unique = [...new Set(events)];
  const unknown = unique.filter((e) => e !== '*' && !isOutboundEventType(e));
  if (unknown.length > 0) throw new UnknownEventError(unknown);
  return unique.includes('*') ? ['*'] : unique;
}

/**
 * Outbound webhook endpoints (bearer `ADMIN_API_TOKEN`): create (answers the signing secret once),
 * list, get, update, enable/disable, delete, rotate the secret, list messages, replay since a time.
 */
export function registerEndpointRoutes(app: HttpApp, deps: EndpointRoutesDeps): void {
  const now = deps.now ?? (() => new Date());
  const onRequest = deps.auth;
  const mustGet = async (id: string) => {
    const endpoint = await deps.endpoints.get(id);
    if (!endpoint) throw new EndpointNotFoundError(id);
    return endpoint;
  };

  const eventTypes = {
    summary: 'The events an endpoint can subscribe to',
    tags,
    response: {
      200: Type.Object({
        items: Type.Array(Type.Object({ name: Type.String(), description: Type.String() })),
      }),
      ...errorResponses(401),
    },
  };
  app.get('/webhooks/event-types', { onRequest, schema: eventTypes }, async () => ({
    items: OUTBOUND_EVENT_TYPES.map((name) => ({ name, description: OUTBOUND_EVENTS[name].description })),
  }));

  app.post(
    '/webhooks/endpoints',
    {
      onRequest,
      schema: {
        summary: 'Adds an endpoint; the answer holds its signing secret, shown this once',
        tags,
        body: Type.Object({ url: Url, events: Events, description: Type.Optional(Description) }),
        response: {
          201: Type.Object({ id: Type.String(), secret: Type.String(), endpoint: EndpointView }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request, reply) => {
      const secret = newEndpointSecret();
      const endpoint = await deps.endpoints.create({
        id: `ep_${randomBytes(12).toString('hex')}`,
        url: checkUrl(request.body.url, deps.allowPrivate),
        events: checkEvents(request.body.events),
        description: request.body.description ?? '',
        secret,
        now: now(),
      });
      await deps.endpointsChanged();
      request.log.info({ endpointId: endpoint._id }, 'webhook endpoint created');
      return reply.status(201).send({ id: endpoint._id, secret, endpoint: endpointView(endpoint) });
    },
  );

  const list = {
    summary: 'Every endpoint',
    tags,
    response: { 200: Type.Object({ items: Type.Array(EndpointView) }), ...errorResponses(401) },
  };
  app.get('/webhooks/endpoints', { onRequest, schema: list }, async () => ({
    items: (await deps.endpoints.list()).map(endpointView),
  }));

  app.get('/webhooks/endpoints/:id', { onRequest, schema: change('One endpoint') }, async (request) =>
    endpointView(await mustGet(request.params.id)),
  );

  app.patch(
    '/webhooks/endpoints/:id',
    {
      onRequest,
      schema: {
        ...change('Changes the URL, the events or the description of an endpoint'),
        body: Type.Object(
          { url: Type.Optional(Url), events: Type.Optional(Events), description: Type.Optional(Description) },
          { minProperties: 1, additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { url, events, description } = request.body;
      const updated = await deps.endpoints.update(
        request.params.id,
        {
          ...(url !== undefined ? { url: checkUrl(url, deps.allowPrivate) } : {}),
          ...(events !== undefined ? { events: checkEvents(events) } : {}),
          ...(description !== undefined ? { description } : {}),
        },
        now(),
      );
      if (!updated) throw new EndpointNotFoundError(request.params.id);
      await deps.endpointsChanged();
      return endpointView(updated);
    },
  );

  app.post(
    '/webhooks/endpoints/:id/disable',
    { onRequest, schema: change('Disables an endpoint: its pending messages stop') },
    async (request) => {
      const updated = await deps.endpoints.disable(request.params.id, now());
      if (!updated) throw new EndpointNotFoundError(request.params.id);
      await deps.endpointsChanged();
      await deps.messages.stopPendingOfEndpoint(updated._id, 'endpoint disabled');
      request.log.info({ endpointId: updated._id }, 'webhook endpoint disabled by operator');
      return endpointView(updated);
    },
  );

  const enable = change('Enables an endpoint (again)');
  app.post('/webhooks/endpoints/:id/enable', { onRequest, schema: enable }, async (request) => {
    const updated = await deps.endpoints.enable(request.params.id, now());
    if (!updated) throw new EndpointNotFoundError(request.params.id);
    await deps.endpointsChanged();
    request.log.info({ endpointId: updated._id }, 'webhook endpoint enabled');
    return endpointView(updated);
  });

  app.delete(
    '/webhooks/endpoints/:id',
    {
      onRequest,
      schema: {
        summary: 'Deletes an endpoint with its messages and attempts',
        tags,
        params: IdParams,
        response: { 204: NoContent, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await deps.endpoints.delete(id))) throw new EndpointNotFoundError(id);
      await deps.endpointsChanged();
      await deps.messages.deleteByEndpoint(id);
      await deps.attempts.deleteByEndpoint(id);
      request.log.info({ endpointId: id }, 'webhook endpoint deleted');
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/webhooks/endpoints/:id/rotate-secret',
    {
      onRequest,
      schema: {
        summary: 'Makes a new signing secret (shown this once); older ones sign on for `graceSeconds`',
        tags,
        params: IdParams,
        body: Type.Optional(
          Type.Object({ graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 24 * 3600 })) }),
        ),
        response: {
          200: Type.Object({
            id: Type.String(),
            secret: Type.String(),
            previousSecretsExpireAt: Type.Array(Nullable(AnswerDate)),
          }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request) => {
      const secret = newEndpointSecret();
      const graceMs =
        request.body?.graceSeconds !== undefined ? request.body.graceSeconds * 1000 : deps.secretGraceMs;
      const at = now();
      const updated = await deps.endpoints.rotateSecret(request.params.id, secret, graceMs, at);
      if (!updated) throw new EndpointNotFoundError(request.params.id);
      await deps.endpointsChanged();
      request.log.info({ endpointId: updated._id, graceMs }, 'webhook endpoint secret rotated');
      // Secrets are held encrypted: the new one is told apart by when it was made.
      const previous = updated.secrets
        .filter((s) => s.createdAt.getTime() !== at.getTime())
        .map((s) => s.expiresAt);
      return { id: updated._id, secret, previousSecretsExpireAt: previous };
    },
  );

  app.get(
    '/webhooks/endpoints/:id/messages',
    {
      onRequest,
      schema: {
        summary: 'The messages of an endpoint, newest first',
        tags,
        params: IdParams,
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(MessageView) }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      await mustGet(request.params.id);
      const items = await deps.messages.listByEndpoint(request.params.id, {
        status: request.query.status,
        limit: request.query.limit ?? 100,
      });
      return { items: items.map(messageView) };
    },
  );

  app.post(
    '/webhooks/endpoints/:id/replay',
    {
      onRequest,
      schema: {
        summary: 'Sends again the messages since a time (202: queued; 409: the endpoint is disabled)',
        tags,
        params: IdParams,
        body: Type.Object({
          since: Type.String({ format: 'date-time' }),
          includeDelivered: Type.Optional(Type.Boolean()),
        }),
        response: { 202: Replayed, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const endpoint = await mustGet(request.params.id);
      if (endpoint.status !== 'enabled') throw new EndpointDisabledError(endpoint._id);
      const replayed = await deps.messages.replaySince(
        endpoint._id,
        new Date(request.body.since),
        request.body.includeDelivered ?? false,
        now(),
      );
      deps.wakeDelivery();
      request.log.info(
        { endpointId: endpoint._id, since: request.body.since, replayed },
        'webhook messages replayed',
      );
      return reply.status(202).send({ replayed });
    },
  );
}
