import type { FastifyRequest } from 'fastify';
import { STRIPE_EVENTS_STREAM } from '@billing/contracts';
import { registerConsumerRoutes } from './consumers-routes';
import { registerHandledRoutes } from './handled-routes';
import type { HttpApp } from './http';
import type { Logger } from './logger';
import { registerParkedRoutes } from './parked-routes';
import { ParkedReplayer, type ReplayRoute } from './replay';
import type { ServiceInfra } from './service';
import { StripeEventReplayer } from './stripe-replay';

/**
 * What an operator sees and does with a consuming service's messages, the same in every service:
 * parked messages (`/admin/parked...`), the handled-message log (`/admin/stripe-events...`), the
 * replay of stored Stripe events through the consumers of `stripeConsumers`, and JetStream's view
 * of the consumers (`/admin/consumers`). `routes` are the service's consumers by durable name.
 * Returns the parked-message replayer, which the service starts and stops with its consumers.
 */
export function registerOperatorRoutes(
  http: HttpApp,
  deps: {
    infra: Pick<ServiceInfra, 'nats' | 'parked' | 'handled' | 'jetstream'>;
    routes: Readonly<Record<string, ReplayRoute>>;
    /** The durable names of the consumers of Stripe events among `routes`. */
    stripeConsumers?: readonly string[];
    auth: (request: FastifyRequest) => Promise<void>;
    logger: Logger;
  },
): ParkedReplayer {
  const { infra, routes, auth, logger } = deps;
  const replayer = new ParkedReplayer({ store: infra.parked, routes, logger, handled: infra.handled });
  registerParkedRoutes(http, { store: infra.parked, replayer, auth });
  const stripeConsumers = deps.stripeConsumers ?? [];
  const stripeReplayer =
    stripeConsumers.length > 0
      ? new StripeEventReplayer({
          handled: infra.handled,
          jsm: infra.nats.jsm,
          stream: STRIPE_EVENTS_STREAM.name,
          routes: Object.fromEntries(stripeConsumers.map((durable) => [durable, routes[durable]!])),
          logger,
        })
      : undefined;
  registerHandledRoutes(http, { handled: infra.handled, replayer: stripeReplayer, auth });
  registerConsumerRoutes(http, { jetstream: infra.jetstream, auth });
  return replayer;
}
