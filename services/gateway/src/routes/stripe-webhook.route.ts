import { Type } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';
import { StripeEventShape } from '@billing/contracts';
import { errorResponses, inSpan, PUBLIC, SpanKind, STRIPE_EVENT_ID, type HttpApp } from '@billing/runtime';
import type { StripeEventPublisher } from '../publisher';
import { verifyStripeEvent } from '../verify';

export interface WebhookRouteOptions {
  secrets: readonly string[];
  toleranceSeconds: number;
  maxBodyBytes: number;
  publisher: StripeEventPublisher;
}

/** Both paths Stripe may be configured with; one handler. */
export const WEBHOOK_PATHS = ['/api/billing/webhooks', '/webhooks/stripe'] as const;

const schema = {
  summary: 'Receives a Stripe webhook: verified, stored in JetStream, then answered',
  description:
    'Answers 200 only once the event is stored (a duplicate is stored once); 503 asks Stripe to retry.',
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
 * verify.ts validates it with the same `StripeEventShape`.
 */
const documentSignedBody = ({ schema, url }: { schema: FastifySchema; url: string }) => ({
  url,
  schema: {
    ...schema,
    headers: Type.Object({
      'stripe-signature': Type.String({ description: '`t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=...]`' }),
    }),
    body: StripeEventShape,
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
          const rawBody = request.body as Buffer;
          const event = await verifyStripeEvent(
            rawBody,
            request.headers['stripe-signature'],
            options.secrets,
            options.toleranceSeconds,
          );
          span.setAttributes({ [STRIPE_EVENT_ID]: event.id, 'stripe.event_type': event.type });
          const { duplicate } = await options.publisher.publish(event, rawBody);
          span.setAttributes({ 'http.response.status_code': 200, 'billing.duplicate': duplicate });
          app.log.info(
            {
              reqId: request.id,
              eventId: event.id,
              eventType: event.type,
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
