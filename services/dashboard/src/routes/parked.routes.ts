import type { FastifyInstance } from 'fastify';
import { formOf } from '../http/forms';
import { PARKING_SERVICES, type ParkingService } from '../upstream/services';
import { href } from '../views/components';
import { PARK_KINDS, parkedView } from '../views/parked.view';
import { act, queryParam, renderPage, seeOther, sessionOf, settled, type RouteDeps } from './context';

const CONSUMER = /^[A-Za-z0-9_.-]{1,100}$/;

function serviceOf(value: unknown): ParkingService | undefined {
  return PARKING_SERVICES.find((s) => s === value);
}

function filterOf(fields: Record<string, string | undefined>): { consumer?: string; kind?: string } {
  return {
    consumer: fields.consumer && CONSUMER.test(fields.consumer) ? fields.consumer : undefined,
    kind: PARK_KINDS.find((k) => k === fields.kind),
  };
}

/** Parked messages per service: why each was parked; replay one, or all that match a filter. */
export function registerParkedPages(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/parked', async (request, reply) => {
    const [name, consumer, kind, all] = ['service', 'consumer', 'kind', 'all'].map((n) =>
      queryParam(request, n),
    );
    const service = serviceOf(name) ?? 'orders';
    const filter = { ...filterOf({ consumer, kind }), all: all === 'yes' };
    const [summaries, items] = await Promise.all([
      Promise.all(PARKING_SERVICES.map((s) => settled(deps.api[s].parked.summary()))),
      deps.api[service].parked.list({
        consumer: filter.consumer,
        kind: filter.kind,
        pending: filter.all ? undefined : true,
        limit: 200,
      }),
    ]);
    const counts = Object.fromEntries(
      PARKING_SERVICES.map((s, i) => [s, summaries[i]!.ok ? summaries[i]!.value.total : null]),
    ) as Record<ParkingService, number | null>;
    return renderPage(request, reply, {
      title: 'Parked messages',
      section: 'parked',
      body: parkedView({
        services: PARKING_SERVICES,
        service,
        counts,
        filter,
        items,
        csrf: sessionOf(request).csrf,
      }),
    });
  });

  app.post('/parked/:service/replay', async (request, reply) => {
    const service = serviceOf((request.params as { service: string }).service);
    if (!service) return seeOther(reply, '/parked');
    const filter = filterOf(formOf(request.body));
    const back = href(['parked'], { service, consumer: filter.consumer, kind: filter.kind });
    return act(reply, back, 'parked_replayed_all', async () => {
      const result = await deps.api[service].parked.replayMatching(filter);
      request.log.info({ service, ...filter, ...result }, 'parked messages replayed by operator');
      const o = result.outcomes;
      return `(${result.replayed}: done ${o.done}, skipped ${o.skipped}, retry ${o.retry}, failed ${o.failed})`;
    });
  });

  app.post('/parked/:service/:id/replay', async (request, reply) => {
    const { service: name, id } = request.params as { service: string; id: string };
    const service = serviceOf(name);
    if (!service) return seeOther(reply, '/parked');
    return act(reply, href(['parked'], { service }), 'parked_replayed', async () => {
      const { outcome } = await deps.api[service].parked.replayOne(id);
      request.log.info(
        { service, parkedId: id, outcome: outcome.status },
        'parked message replayed by operator',
      );
      return `(outcome: ${outcome.status})`;
    });
  });
}
