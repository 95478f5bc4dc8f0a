import type { FastifyInstance } from 'fastify';
import { PARKING_SERVICES, STRIPE_SERVICES, type ParkingService } from '../upstream/services';
import type { ConsumersState, ParkedSummary } from '../upstream/types';
import { overviewView } from '../views/overview.view';
import { renderPage, settled, type RouteDeps } from './context';

/**
 * `GET /`: readiness, Stripe events received by type, consumer lag, parked messages per service,
 * endpoints that need attention.
 */
export function registerOverviewRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/', async (request, reply) => {
    const each = <T>(call: (service: ParkingService) => Promise<T>) =>
      Promise.all(PARKING_SERVICES.map(async (s) => [s, await call(s)] as const)).then(
        (pairs) => Object.fromEntries(pairs) as Record<ParkingService, T>,
      );
    const [ready, parked, consumers, endpoints] = await Promise.all([
      each((s) => deps.api[s].api.ready()),
      each((s) => settled<ParkedSummary>(deps.api[s].parked.summary())),
      each((s) => settled<ConsumersState>(deps.api[s].parked.consumers())),
      settled(deps.api.notifications.endpoints()),
    ]);
    // The services that read Stripe events all read the one stream: its counts come from them.
    const stripeStream = STRIPE_SERVICES.map((service) => ({ service, result: consumers[service] }));
    return renderPage(request, reply, {
      title: 'Overview',
      section: 'overview',
      body: overviewView({ ready, parked, consumers, stripeStream, endpoints }),
    });
  });
}
