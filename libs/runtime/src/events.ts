import type { Static, TSchema } from '@sinclair/typebox';
import {
  makeEnvelope,
  type EnvelopeInput,
  type EventDefinition,
  type EventEnvelopeV1,
} from '@billing/contracts';
import { PermanentError } from './errors';
import type { EnvelopePublisher } from './publisher';
import type { HandlerContext } from './runner';

/**
 * One domain event to emit, built by {@link outboxEvent}: its contract and what goes into its
 * envelope. The payload's type was checked against the definition when it was built; a list may
 * hold events of different definitions.
 */
export interface OutboxEvent {
  readonly definition: EventDefinition;
  readonly input: EnvelopeInput<unknown>;
}

/** An event of `definition`; the compiler checks `input.payload` against its schema here, once. */
export function outboxEvent<S extends TSchema>(
  definition: EventDefinition<S>,
  input: EnvelopeInput<Static<S>>,
): OutboxEvent {
  return { definition, input };
}

/** What an event a handler emits was caused by: the message being handled, and its Stripe event. */
export type Cause = Pick<EnvelopeInput<unknown>, 'correlationId' | 'causationId'>;

export function causeOf(ctx: Pick<HandlerContext, 'messageId' | 'correlationId'>): Cause {
  return { correlationId: ctx.correlationId, causationId: ctx.messageId };
}

/** Publishes domain events; resolves once every one of them is stored in its stream. */
export interface EventEmitter {
  emit(events: readonly OutboxEvent[]): Promise<void>;
}

/** Validates each payload against its own definition and wraps it in its envelope. */
export function toEnvelopes(events: readonly OutboxEvent[]): EventEnvelopeV1[] {
  return events.map(({ definition, input }) => {
    if (!definition.validator.check(input.payload)) {
      // Our own code built it wrong: retrying cannot help, so the message is parked at once.
      throw new PermanentError(
        `${definition.subject} payload invalid: ${definition.validator.explain(input.payload)}`,
      );
    }
    return makeEnvelope(definition, input) as EventEnvelopeV1;
  });
}

/**
 * Publishes a message handler's events straight to JetStream, before the runner acknowledges the
 * message that caused them. That makes a store-then-publish outbox unnecessary there: if a
 * publish fails or the process dies first, the message is delivered again, and the handler, which
 * is idempotent and emits on every delivery, publishes the same ids again. JetStream drops a
 * repeated id inside the stream's duplicate window, and consumers' unique keys absorb it after.
 * Work that no message drives (an operator's HTTP request, the webhook delivery worker) has no
 * redelivery to fall back on and uses the {@link Outbox} instead.
 *
 * The events are sent in order on one connection, so they are stored in that order; their
 * acknowledgements are awaited together.
 */
export class DirectEmitter implements EventEmitter {
  constructor(private readonly publisher: EnvelopePublisher) {}

  async emit(events: readonly OutboxEvent[]): Promise<void> {
    const envelopes = toEnvelopes(events);
    for (const envelope of envelopes) this.publisher.check(envelope);
    await Promise.all(envelopes.map((envelope) => this.publisher.publish(envelope)));
  }
}
