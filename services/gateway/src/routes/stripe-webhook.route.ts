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
    app.post(url, { bodyLimit: options.maxBodyBytes }, async (request, reply) => {
      const rawBody = request.body as Buffer;
      const event = await verifyStripeEvent(
        rawBody,
        request.headers['stripe-signature'],
        options.secrets,
        options.toleranceSeconds,
      );
      const { duplicate } = await options.publisher.publish(event, rawBody);
      request.log.info({ eventId: event.id, eventType: event.type, duplicate }, 'stripe event stored');
      return reply.status(200).send({ received: true });
    });
  }
}
