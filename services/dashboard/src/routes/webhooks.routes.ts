import type { FastifyInstance } from 'fastify';
import { formOf, localTimeOf, utcOfLocalTime } from '../http/forms';
import { href } from '../views/components';
import { html } from '../views/html';
import { endpointView, endpointsView, messageView, rotatedView } from '../views/webhooks.view';
import { act, queryParam, renderPage, seeOther, sessionOf, type RouteDeps } from './context';

const STATUSES = new Set(['pending', 'delivered', 'failed']);

/**
 * Webhook endpoints and deliveries: list, one endpoint with its messages, enable / disable,
 * rotate the secret, replay since a time; one message with its attempts, replay it.
 */
export function registerWebhookPages(app: FastifyInstance, deps: RouteDeps): void {
  const notifications = deps.api.notifications;

  app.get('/webhooks', async (request, reply) =>
    renderPage(request, reply, {
      title: 'Webhook endpoints',
      section: 'webhooks',
      body: endpointsView(await notifications.endpoints()),
    }),
  );

  app.get('/webhooks/endpoints/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const requested = queryParam(request, 'status');
    const status = requested && STATUSES.has(requested) ? requested : undefined;
    const endpoint = await notifications.endpoint(id);
    if (!endpoint) {
      return renderPage(
        request,
        reply,
        {
          title: 'Endpoint not found',
          section: 'webhooks',
          body: html`<p>No endpoint <code>${id}</code>.</p>`,
        },
        404,
      );
    }
    const messages = await notifications.messagesOf(endpoint.id, status);
    const defaultSince = localTimeOf(new Date(Date.now() - 86_400_000));
    return renderPage(request, reply, {
      title: `Endpoint ${endpoint.id}`,
      section: 'webhooks',
      body: endpointView({ endpoint, messages, status, csrf: sessionOf(request).csrf, defaultSince }),
    });
  });

  app.post('/webhooks/endpoints/:id/:action', async (request, reply) => {
    const { id, action } = request.params as { id: string; action: string };
    const back = href(['webhooks', 'endpoints', id]);
    const form = formOf(request.body);
    switch (action) {
      case 'enable':
      case 'disable':
        return act(reply, back, action === 'enable' ? 'endpoint_enabled' : 'endpoint_disabled', async () => {
          await notifications.setEnabled(id, action === 'enable');
          request.log.info({ endpointId: id, action }, 'webhook endpoint changed by operator');
        });
      case 'replay': {
        const since = utcOfLocalTime(form.since);
        if (!since) return seeOther(reply, `${back}?failed=invalid_time&by=dashboard`);
        return act(reply, back, 'endpoint_replayed', async () => {
          const { replayed } = await notifications.replaySince(id, since, form.includeDelivered === 'yes');
          request.log.info({ endpointId: id, since, replayed }, 'webhook messages replayed by operator');
          return `(${replayed} messages)`;
        });
      }
      case 'rotate-secret': {
        // Shown once, on this answer (not a redirect: the secret must not sit in a URL).
        const rotated = await notifications.rotateSecret(id);
        request.log.info({ endpointId: id }, 'webhook endpoint secret rotated by operator');
        return renderPage(request, reply, {
          title: `Secret rotated for ${id}`,
          section: 'webhooks',
          body: rotatedView({
            endpointId: id,
            secret: rotated.secret,
            previousExpireAt: rotated.previousSecretsExpireAt,
          }),
        });
      }
      default:
        return seeOther(reply, back);
    }
  });

  app.get('/webhooks/messages/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const message = await notifications.message(id);
    if (!message) {
      return renderPage(
        request,
        reply,
        {
          title: 'Message not found',
          section: 'webhooks',
          body: html`<p>No message <code>${id}</code>.</p>`,
        },
        404,
      );
    }
    return renderPage(request, reply, {
      title: `Webhook message ${message.id}`,
      section: 'webhooks',
      body: messageView({ message, csrf: sessionOf(request).csrf }),
    });
  });

  app.post('/webhooks/messages/:id/replay', async (request, reply) => {
    const { id } = request.params as { id: string };
    return act(reply, href(['webhooks', 'messages', id]), 'message_replayed', async () => {
      await notifications.replayMessage(id);
      request.log.info({ messageId: id }, 'webhook message replayed by operator');
    });
  });
}
