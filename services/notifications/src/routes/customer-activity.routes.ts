import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { Nullable } from '@billing/contracts';
import { errorResponses, type HttpApp } from '@billing/runtime';
import type { CustomerActivityRepository } from '../db/customer-activity.repository';
import type { EmailSendDoc } from '../db/email-send.model';
import { messageView } from './views';

const DateTime = Type.String({ format: 'date-time' });

const EmailSendView = Type.Object({
  eventId: Type.String(),
  template: Type.String(),
  to: Type.String(),
  status: Type.String(),
  subject: Nullable(Type.String()),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  createdAt: DateTime,
  sentAt: Nullable(DateTime),
});

const WebhookMessageView = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  event: Type.String(),
  endpointId: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(DateTime),
  lastAttemptAt: Nullable(DateTime),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  deliveredAt: Nullable(DateTime),
  createdAt: DateTime,
  payload: Type.Unknown(),
});

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

function emailView(doc: EmailSendDoc) {
  const { eventId, template, to, status, subject, attempts, lastError } = doc;
  return {
    eventId,
    template,
    to,
    status,
    subject,
    attempts,
    lastError,
    createdAt: iso(doc.createdAt)!,
    sentAt: iso(doc.sentAt),
  };
}

/**
 * `GET /admin/customers/:email/notifications?limit=`: the emails sent (or owed) to a customer and
 * the webhook messages that name them, newest first, at most `limit` (default 100) of each.
 */
export function registerCustomerActivityRoutes(
  app: HttpApp,
  deps: { activity: CustomerActivityRepository; auth: (request: FastifyRequest) => Promise<void> },
): void {
  app.get(
    '/admin/customers/:email/notifications',
    {
      onRequest: deps.auth,
      // The URL names the customer: Fastify's request lines would write the email into the logs.
      logLevel: 'warn',
      schema: {
        summary: 'The emails and webhook messages of a customer, newest first',
        tags: ['customers'],
        params: Type.Object({ email: Type.String({ minLength: 3, maxLength: 320 }) }),
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }),
        response: {
          200: Type.Object({
            emails: Type.Array(EmailSendView),
            webhookMessages: Type.Array(WebhookMessageView),
          }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const email = request.params.email.trim().toLowerCase();
      const { limit } = request.query;
      const [emails, messages] = await Promise.all([
        deps.activity.emailsTo(email, limit),
        deps.activity.messagesNaming(email, limit),
      ]);
      return {
        emails: emails.map(emailView),
        webhookMessages: messages.map((m) => {
          const view = messageView(m);
          return {
            ...view,
            nextAttemptAt: iso(view.nextAttemptAt),
            lastAttemptAt: iso(view.lastAttemptAt),
            deliveredAt: iso(view.deliveredAt),
            createdAt: view.createdAt.toISOString(),
          };
        }),
      };
    },
  );
}
