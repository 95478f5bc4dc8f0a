import type { HttpApp } from '@billing/runtime';
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
    app.post(url, { bodyLimit: options.maxBodyBytes, logLevel: 'warn' }, async (request, reply) => {
      const rawBody = request.body as Buffer;
      const event = await verifyStripeEvent(
        rawBody,
        request.headers['stripe-signature'],
        options.secrets,
        options.toleranceSeconds,
      );
      const { duplicate } = await options.publisher.publish(event, rawBody);
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
    });
  }
}
