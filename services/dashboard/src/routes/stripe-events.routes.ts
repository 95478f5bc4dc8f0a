import type { FastifyInstance } from 'fastify';
import { PARKING_SERVICES, STRIPE_SERVICES, type StripeEventSearch } from '../upstream/services';
import type { StripeEventSummary } from '../upstream/types';
import { localTimeOf } from '../http/forms';
import { mergeStripeEvents, stripeEventView, type StripeEventQuery } from '../views/stripe-events.view';
import { queryParam, renderPage, sessionOf, settled, type RouteDeps } from './context';
import { decodeReplay } from './replay-result';

/** Stripe event ids (`evt_…`) and the ids of test events: letters, digits, `_` and `-`. */
const EVENT_ID = /^[A-Za-z0-9_-]{1,255}$/;
/** What the services accept (libs/runtime handled-routes): a Stripe event type, a customer id, an email. */
const EVENT_TYPE = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/;
const CUSTOMER = /^[A-Za-z0-9_]{1,255}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The first field of a search that is not one the services accept, or null. */
function invalidField(search: StripeEventSearch): string | null {
  if (search.type && (search.type.length > 255 || !EVENT_TYPE.test(search.type))) return 'type';
  if (search.customer && !CUSTOMER.test(search.customer)) return 'customer';
  if (search.email && (search.email.length > 320 || !EMAIL.test(search.email))) return 'email';
  return null;
}

/**
 * `GET /stripe-events?q=<event id>`: what each consuming service did with the Stripe event and
 * with the domain events it caused (from each service's handled-message log).
 * `GET /stripe-events?type=&customer=&email=`: the Stripe events the Stripe-consuming services
 * handled that match, newest first, each linked to the above.
 */
export function registerStripeEventPages(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/stripe-events', async (request, reply) => {
    const field = (name: string) => (queryParam(request, name) ?? '').trim();
    const query: StripeEventQuery = {
      q: field('q'),
      type: field('type'),
      customer: field('customer'),
      email: field('email').toLowerCase(),
    };
    // The forms' actions: their CSRF token, a default start, and a replay's result after its redirect.
    const actions = {
      csrf: sessionOf(request).csrf,
      defaultSince: localTimeOf(new Date(Date.now() - 86_400_000)),
      replayed: decodeReplay(queryParam(request, 'replay')),
    };
    const page = (body: ReturnType<typeof stripeEventView>, status = 200) =>
      renderPage(request, reply, { title: 'Stripe events', section: 'stripe-events', body }, status);

    if (query.q !== '') {
      const valid = EVENT_ID.test(query.q);
      const results = valid
        ? await Promise.all(PARKING_SERVICES.map((s) => settled(deps.api[s].parked.handled(query.q))))
        : [];
      const services = PARKING_SERVICES.map((service, i) => ({ service, result: results[i] }));
      const known = results.some((r) => r.ok && r.value.length > 0);
      const unanswered = results.some((r) => !r.ok);
      return page(
        stripeEventView({ query, actions, detail: { valid, services } }),
        !known && !unanswered ? 404 : 200,
      );
    }

    const search: StripeEventSearch = {
      type: query.type || undefined,
      customer: query.customer || undefined,
      email: query.email || undefined,
    };
    if (!search.type && !search.customer && !search.email) return page(stripeEventView({ query, actions }));
    const invalid = invalidField(search);
    if (invalid) {
      request.log.warn({ field: invalid }, 'Stripe event search refused');
      return page(stripeEventView({ query, actions, list: { invalid } }), 400);
    }
    const answers = await Promise.all(
      STRIPE_SERVICES.map(async (service) => ({
        service,
        result: await settled<StripeEventSummary[]>(
          deps.api[service].parked.stripeEvents({ ...search, limit: 50 }).then((p) => p.items),
        ),
      })),
    );
    return page(
      stripeEventView({ query, actions, list: { answers, events: mergeStripeEvents(answers, 50) } }),
    );
  });
}
