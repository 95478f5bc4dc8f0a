import type { Static, TSchema } from '@sinclair/typebox';
import {
  makeEnvelope,
  type EnvelopeInput,
  type EventDefinition,
  type EventEnvelopeV1,
} from '@billing/contracts';
import { PermanentError } from './errors';
import type { EnvelopePublisher } from './publisher';

/** One domain event to emit: its contract and what goes into its envelope. */
export interface EventItem<S extends TSchema = TSchema> {
  definition: EventDefinition<S>;
  input: EnvelopeInput<Static<S>>;
}

/** Publishes domain events; resolves once every one of them is stored in its stream. */
export interface EventEmitter {
  emit<S extends TSchema>(items: ReadonlyArray<EventItem<S>>): Promise<void>;
}

/** Validates each payload against its own definition and wraps it in its envelope. */
export function toEnvelopes<S extends TSchema>(items: ReadonlyArray<EventItem<S>>): EventEnvelopeV1[] {
  return items.map(({ definition, input }) => {
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

  async emit<S extends TSchema>(items: ReadonlyArray<EventItem<S>>): Promise<void> {
    const envelopes = toEnvelopes(items);
    for (const envelope of envelopes) this.publisher.check(envelope);
    await Promise.all(envelopes.map((envelope) => this.publisher.publish(envelope)));
  }
}
