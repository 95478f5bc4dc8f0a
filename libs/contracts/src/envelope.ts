import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { compile, type Validator } from './schema';

/**
 * Every domain event travels in this envelope. The subject is `<type>.v<version>`,
 * e.g. `orders.order.confirmed.v1`. Within a version only optional fields are added;
 * a breaking change is a new version published beside the old one.
 */
export const EventEnvelopeV1 = Type.Object({
  /**
   * Derived from what happened (e.g. `orders.order.confirmed:<orderId>`), never random, so a
   * republish after a crash is the same message: JetStream drops it inside the duplicate window
   * and consumers recognise it after that.
   */
  id: Type.String({ minLength: 1, maxLength: 512 }),
  /** Dotted name without the version, e.g. `orders.order.confirmed`. */
  type: Type.String({ minLength: 1 }),
  version: Type.Integer({ minimum: 1 }),
  /** Service that published it. */
  source: Type.String({ minLength: 1 }),
  occurredAt: Type.String({ format: 'date-time' }),
  /** The Stripe event id (or admin request id) that started the chain. */
  correlationId: Type.String({ minLength: 1 }),
  /** The id of the message that directly caused this one. */
  causationId: Type.String({ minLength: 1 }),
  payload: Type.Unknown(),
});
export type EventEnvelopeV1 = Static<typeof EventEnvelopeV1>;
export const envelopeValidator = compile(EventEnvelopeV1);

/** A domain event's contract: its name, version, publishing service and payload schema. */
export interface EventDefinition<S extends TSchema = TSchema> {
  readonly type: string;
  readonly version: number;
  readonly source: string;
  readonly subject: string;
  readonly schema: S;
  readonly validator: Validator<Static<S>>;
}

export type PayloadOf<D> = D extends EventDefinition<infer S> ? Static<S> : never;

export interface TypedEnvelope<T> extends Omit<EventEnvelopeV1, 'payload'> {
  payload: T;
}

export function defineEvent<S extends TSchema>(
  source: string,
  type: string,
  version: number,
  schema: S,
): EventDefinition<S> {
  if (!type.startsWith(`${source}.`)) throw new Error(`event type ${type} must start with ${source}.`);
  return Object.freeze({
    type,
    version,
    source,
    subject: `${type}.v${version}`,
    schema,
    validator: compile(schema),
  });
}

export interface EnvelopeInput<T> {
  /** Deterministic id, see EventEnvelopeV1.id. */
  id: string;
  payload: T;
  correlationId: string;
  causationId: string;
  occurredAt?: Date;
}

export function makeEnvelope<S extends TSchema>(
  definition: EventDefinition<S>,
  input: EnvelopeInput<Static<S>>,
): TypedEnvelope<Static<S>> {
  return {
    id: input.id,
    type: definition.type,
    version: definition.version,
    source: definition.source,
    occurredAt: (input.occurredAt ?? new Date()).toISOString(),
    correlationId: input.correlationId,
    causationId: input.causationId,
    payload: input.payload,
  };
}
