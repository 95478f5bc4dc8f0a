import type { FastifyInstance } from 'fastify';
import { PARKING_SERVICES, type ParkingService } from '../upstream/services';
import type { ParkedSummary } from '../upstream/types';
import { overviewView } from '../views/overview.view';
import { renderPage, settled, type RouteDeps } from './context';

/** `GET /`: readiness, parked messages per service, endpoints that need attention. */
export function registerOverviewRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/', async (request, reply) => {
    const each = <T>(call: (service: ParkingService) => Promise<T>) =>
      Promise.all(PARKING_SERVICES.map(async (s) => [s, await call(s)] as const)).then(
        (pairs) => Object.fromEntries(pairs) as Record<ParkingService, T>,
      );
    const [ready, parked, endpoints] = await Promise.all([
      each((s) => deps.api[s].api.ready()),
      each((s) => settled<ParkedSummary>(deps.api[s].parked.summary())),
      settled(deps.api.notifications.endpoints()),
    ]);
    return renderPage(request, reply, {
      title: 'Overview',
      section: 'overview',
      body: overviewView({ ready, parked, endpoints }),
    });
  });
}
