import { Type } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';
import { StripeEventShape, StripeV2EventShape } from '@billing/contracts';
import { errorResponses, inSpan, PUBLIC, SpanKind, STRIPE_EVENT_ID, type HttpApp } from '@billing/runtime';
import type { StripeEventPublisher } from '../publisher';
import { fetchThinEvent, type StripeEventSource } from '../thin-events';
import { verifyStripeWebhook, type VerifiedWebhook } from '../verify';

export interface WebhookRouteOptions {
  secrets: readonly string[];
  thinSecrets: readonly string[];
  toleranceSeconds: number;
  maxBodyBytes: number;
  publisher: StripeEventPublisher;
  stripeEvents?: StripeEventSource;
}

/**
 * Both paths Stripe may be configured with; one handler for snapshot webhook endpoints and for
 * event destinations with thin payloads (told apart by the body's `object`).
 */
export const WEBHOOK_PATHS = ['/api/billing/webhooks', '/webhooks/stripe'] as const;

const schema = {
  summary: 'Receives a Stripe webhook: verified, stored in JetStream, then answered',
  description:
    'Answers 200 only once the event is stored (a duplicate is stored once); 503 asks Stripe to retry. ' +
    'A thin event notification (`object: "v2.core.event"`, signed with a STRIPE_THIN_WEBHOOK_SECRET) ' +
    'is answered once the event it names, fetched from Stripe, is stored.',
  tags: ['stripe'],
  // Stripe authenticates with the signature, not a bearer token.
  security: PUBLIC,
  response: {
    200: Type.Object({ received: Type.Literal(true) }),
    ...errorResponses(400, 413, 415, 503),
  },
};

/**
 * For the OpenAPI document only: the body stays raw bytes for the signature check, after which
 * verify.ts validates it with the same `StripeEventShape` (or `StripeV2EventShape`, thin).
 */
const documentSignedBody = ({ schema, url }: { schema: FastifySchema; url: string }) => ({
  url,
  schema: {
    ...schema,
    headers: Type.Object({
      'stripe-signature': Type.String({ description: '`t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=...]`' }),
    }),
    body: Type.Union([StripeEventShape, StripeV2EventShape]),
  },
});

/**
 * Verify, store, answer. Registered as its own plugin so that its raw-body parser applies to
 * these routes only: the signature covers the exact bytes, never re-serialised JSON.
 */
export async function stripeWebhookRoutes(app: HttpApp, options: WebhookRouteOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: options.maxBodyBytes },
    (_request, body, done) => done(null, body),
  );

  for (const url of WEBHOOK_PATHS) {
    // Fastify's two per-request info lines are off on this hot path; one line per stored event
    // says the same, and every rejection is still logged (at warn) by the error handler.
    const routeOptions = {
      bodyLimit: options.maxBodyBytes,
      logLevel: 'warn' as const,
      schema,
      config: { swaggerTransform: documentSignedBody },
    };
    app.post(url, routeOptions, (request, reply) =>
      // The first span of the Stripe event's trace; the stored message carries its context.
      inSpan(
        `POST ${url}`,
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': url } },
        async (span) => {
          const verified = await verifyStripeWebhook(
            request.body as Buffer,
            request.headers['stripe-signature'],
            options,
          );
          const notificationId = verified.kind === 'thin' ? verified.notification.id : undefined;
          if (notificationId) span.setAttribute('stripe.notification_id', notificationId);
          const { event, duplicate } = await store(verified, request.body as Buffer, options);
          span.setAttributes({
            [STRIPE_EVENT_ID]: event.id,
            'stripe.event_type': event.type,
            'http.response.status_code': 200,
            'billing.duplicate': duplicate,
          });
          app.log.info(
            {
              reqId: request.id,
              eventId: event.id,
              eventType: event.type,
              ...(notificationId && { notificationId }),
              duplicate,
              ms: Math.round(reply.elapsedTime),
            },
            'stripe event stored',
          );
          return reply.status(200).send({ received: true });
        },
      ),
    );
  }
}

/** Stores a snapshot as received; a thin notification as the event it names, fetched from Stripe. */
async function store(
  verified: VerifiedWebhook,
  rawBody: Buffer,
  options: WebhookRouteOptions,
): Promise<{ event: { id: string; type: string }; duplicate: boolean }> {
  if (verified.kind === 'snapshot') {
    const { duplicate } = await options.publisher.publish(verified.event, rawBody);
    return { event: verified.event, duplicate };
  }
  const fetched = await fetchThinEvent(verified.notification, options.stripeEvents, options.maxBodyBytes);
  const { duplicate } =
    fetched.kind === 'snapshot'
      ? await options.publisher.publish(fetched.event, fetched.body)
      : await options.publisher.publishV2(fetched.event, fetched.body);
  return { event: fetched.event, duplicate };
}
