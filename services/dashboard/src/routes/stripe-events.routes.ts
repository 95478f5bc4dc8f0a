import type { FastifyInstance } from 'fastify';
import { PARKING_SERVICES } from '../upstream/services';
import { stripeEventView } from '../views/stripe-events.view';
import { queryParam, renderPage, settled, type RouteDeps } from './context';

/** Stripe event ids (`evt_…`) and the ids of test events: letters, digits, `_` and `-`. */
const EVENT_ID = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * `GET /stripe-events?q=<event id>`: what each consuming service did with the Stripe event and
 * with the domain events it caused (from each service's handled-message log).
 */
export function registerStripeEventPages(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/stripe-events', async (request, reply) => {
    const q = (queryParam(request, 'q') ?? '').trim();
    const valid = EVENT_ID.test(q);
    const results = valid
      ? await Promise.all(PARKING_SERVICES.map((s) => settled(deps.api[s].parked.handled(q))))
      : [];
    const services = PARKING_SERVICES.map((service, i) => ({ service, result: results[i] }));
    const known = results.some((r) => r.ok && r.value.length > 0);
    const unanswered = results.some((r) => !r.ok);
    return renderPage(
      request,
      reply,
      {
        title: 'Stripe events',
        section: 'stripe-events',
        body: stripeEventView({ q, searched: q !== '', valid, services }),
      },
      q !== '' && !known && !unanswered ? 404 : 200,
    );
  });
}
