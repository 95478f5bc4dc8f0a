import { ORDERS_STRIPE_CONSUMER, type StripeEventShape } from '@billing/contracts';
import {
  createHttpApp,
  infraReadiness,
  registerParkedRoutes,
  replayParked,
  requireBearer,
  runnerDefaults,
  startConsumer,
  stopConsumers,
  stripeCodec,
  type HttpApp,
  type Logger,
  type RunningConsumer,
  type ServiceInfra,
} from '@billing/runtime';
import type { OrdersConfig } from './config';
import { stripeHandlers } from './handlers';

export interface OrdersDeps {
  config: Pick<OrdersConfig, 'adminToken' | 'retryDelaysMs' | 'concurrency' | 'outboxRelayIntervalMs'>;
  logger: Logger;
  infra: ServiceInfra;
}

export interface OrdersService {
  http: HttpApp;
  /** Starts consuming and relaying the outbox. */
  start(): Promise<void>;
  /** Stops consuming (waiting for handlers in flight) and the relay. */
  stop(): Promise<void>;
}

export async function buildOrdersService(deps: OrdersDeps): Promise<OrdersService> {
  const { config, logger, infra } = deps;
  const handlers = stripeHandlers();
  const http = createHttpApp({ logger, readiness: infraReadiness(infra) });
  const auth = requireBearer(config.adminToken);
  registerParkedRoutes(http, {
    store: infra.parked,
    auth,
    replay: (id) => replayParked({ store: infra.parked, codec: stripeCodec, handlers, logger }, id),
  });

  let running: RunningConsumer[] = [];
  return {
    http,
    async start() {
      running = [
        await startConsumer<StripeEventShape>({
          ...runnerDefaults(infra, config, logger),
          consumer: ORDERS_STRIPE_CONSUMER,
          codec: stripeCodec,
          handlers,
          // Events of one Stripe customer are applied one after another.
          keyOf: (event) => {
            const customer = (event.data.object as { customer?: unknown }).customer;
            return typeof customer === 'string' ? customer : undefined;
          },
        }),
      ];
      infra.outbox.startRelay(config.outboxRelayIntervalMs);
    },
    async stop() {
      await stopConsumers(running);
      await infra.outbox.stopRelay();
    },
  };
}
