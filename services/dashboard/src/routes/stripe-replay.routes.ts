import type { FastifyInstance } from 'fastify';
import { formOf, utcOfLocalTime } from '../http/forms';
import { UpstreamError } from '../upstream/api-client';
import { STRIPE_SERVICES } from '../upstream/services';
import type { StripeReplaySelection } from '../upstream/types';
import { href } from '../views/components';
import { act, seeOther, type RouteDeps } from './context';
import { countReplay, encodeReplay, replayFailure } from './replay-result';

/** What the services accept as an event id to replay (libs/runtime handled-routes). */
const REPLAYABLE_ID = /^evt_[A-Za-z0-9_]{1,250}$/;
const EVENT_TYPE = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/;

/**
 * The Stripe events page's actions: run one stored event, or every one of a type and time range,
 * through orders' and licensing's Stripe consumers again (each service answers for itself; the
 * counts come back in the redirect); ask the gateway for the events Stripe has that never arrived.
 */
export function registerStripeReplayActions(app: FastifyInstance, deps: RouteDeps): void {
  const replay = (selection: StripeReplaySelection) =>
    Promise.all(
      STRIPE_SERVICES.map((service) =>
        deps.api[service].parked.replayStripeEvents(selection).then(
          (answer) => countReplay(service, answer),
          (err: unknown) => replayFailure(service, err),
        ),
      ),
    );

  app.post('/stripe-events/replay', async (request, reply) => {
    const eventId = formOf(request.body).eventId ?? '';
    const back = (extra: Record<string, string>) => href(['stripe-events'], { q: eventId, ...extra });
    if (!REPLAYABLE_ID.test(eventId)) {
      return seeOther(reply, back({ failed: 'invalid_event_id', by: 'dashboard' }));
    }
    const results = await replay({ eventIds: [eventId] });
    request.log.info({ eventId, results }, 'Stripe event replayed by operator');
    return seeOther(reply, back({ replay: encodeReplay(results) }));
  });

  app.post('/stripe-events/replay-matching', async (request, reply) => {
    const form = formOf(request.body);
    const type = form.type ?? '';
    const back = (extra: Record<string, string>) =>
      href(['stripe-events'], { type, customer: form.customer, email: form.email, ...extra });
    const since = utcOfLocalTime(form.since);
    const until = form.until ? utcOfLocalTime(form.until) : undefined;
    const limit = Number(form.limit);
    const refuse = (failed: string) => seeOther(reply, back({ failed, by: 'dashboard' }));
    if (type.length > 255 || !EVENT_TYPE.test(type)) return refuse('invalid_type');
    if (!since || (form.until && !until)) return refuse('invalid_time');
    if (until && until <= since) return refuse('invalid_range');
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return refuse('invalid_limit');
    const results = await replay({ types: [type], since, ...(until ? { until } : {}), limit });
    request.log.info({ type, since, until, limit, results }, 'Stripe events replayed by operator');
    return seeOther(reply, back({ replay: encodeReplay(results) }));
  });

  app.post('/stripe-events/reconcile', async (request, reply) => {
    const form = formOf(request.body);
    const since = utcOfLocalTime(form.since);
    const until = form.until ? utcOfLocalTime(form.until) : undefined;
    if (!since || (form.until && !until)) {
      return seeOther(reply, '/stripe-events?failed=invalid_time&by=dashboard');
    }
    try {
      return await act(reply, '/stripe-events', 'stripe_reconciled', async () => {
        const answer = await deps.api.gateway.reconcile(since, until);
        request.log.info({ ...answer }, 'missed Stripe events looked up by operator');
        return `found ${answer.found}, already present ${answer.alreadyPresent}, stored ${answer.stored}`;
      });
    } catch (err) {
      // The gateway runs without Stripe API access: something the operator can act on.
      if (err instanceof UpstreamError && err.code === 'reconciliation_off') {
        return seeOther(reply, '/stripe-events?failed=reconciliation_off&by=gateway');
      }
      throw err;
    }
  });
}
