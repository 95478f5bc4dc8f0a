import type { EventDefinition, PayloadOf, TypedEnvelope } from '@billing/contracts';
import { TransientError } from './errors';
import { retry, type Handler, type HandlerContext, type Outcome } from './runner';

/**
 * A handler as every service writes it: the event, its dependencies (interfaces, so a unit test
 * passes fakes) and the context of the message being handled. It returns an outcome and never
 * touches the NATS message.
 */
export type EventHandler<E, D> = (event: E, deps: D, ctx: HandlerContext) => Promise<Outcome>;

/** A handler of envelopes of any subject, as {@link on} registers it. */
export type EnvelopeHandler<D> = EventHandler<TypedEnvelope<unknown>, D>;

/**
 * Registers `handle` under the subject of `definition`, for `Object.fromEntries([on(...), ...])`.
 * The envelope codec validates each payload against the definition of its subject before any
 * handler runs, so the payload has the type `handle` was written for.
 */
export function on<Def extends EventDefinition, D>(
  definition: Def,
  handle: EventHandler<TypedEnvelope<PayloadOf<Def>>, D>,
): [string, EnvelopeHandler<D>] {
  return [
    definition.subject,
    (event, deps, ctx) => handle(event as TypedEnvelope<PayloadOf<Def>>, deps, ctx),
  ];
}

/**
 * Binds handlers (by route: Stripe event type or envelope subject) to their dependencies, as the
 * runner and the parked-message replayer call them. A {@link TransientError} is reported as
 * `retry(message)`; any other error is left to the runner (see classifyFailure).
 */
export function bindHandlers<E, D>(
  handlers: Readonly<Record<string, EventHandler<E, D>>>,
  deps: D,
): Record<string, Handler<E>> {
  const bound: Record<string, Handler<E>> = {};
  for (const [route, handle] of Object.entries(handlers)) {
    bound[route] = async (event, ctx) => {
      try {
        return await handle(event, deps, ctx);
      } catch (err) {
        if (err instanceof TransientError) return retry(err.message);
        throw err;
      }
    };
  }
  return bound;
}
