import {
  envelopeValidator,
  stripeEventValidator,
  type EventDefinition,
  type StripeEventShape,
  type TypedEnvelope,
} from '@billing/contracts';

/** What a codec makes of one raw JetStream message. */
export type Decoded<E> =
  | { ok: true; route: string; messageId: string; correlationId: string; event: E }
  | { ok: false; error: string };

export interface Codec<E> {
  decode(subject: string, data: Uint8Array): Decoded<E>;
}

const text = new TextDecoder();

function parseJson(data: Uint8Array): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text.decode(data)) };
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
}

/** Raw Stripe events as the gateway stored them; routed by Stripe event type. */
export const stripeCodec: Codec<StripeEventShape> = {
  decode(_subject, data) {
    const parsed = parseJson(data);
    if (!parsed.ok) return parsed;
    if (!stripeEventValidator.check(parsed.value)) {
      return { ok: false, error: `not a Stripe event: ${stripeEventValidator.explain(parsed.value)}` };
    }
    const event = parsed.value;
    return { ok: true, route: event.type, messageId: event.id, correlationId: event.id, event };
  },
};

/**
 * Domain envelopes; routed by subject (`<type>.v<version>`) and validated against the payload
 * schema of the matching definition. Subjects without a definition decode with route = subject
 * and an unchecked payload, so the runner can skip them.
 */
export function envelopeCodec(definitions: readonly EventDefinition[]): Codec<TypedEnvelope<unknown>> {
  const bySubject = new Map(definitions.map((d) => [d.subject, d]));
  return {
    decode(subject, data) {
      const parsed = parseJson(data);
      if (!parsed.ok) return parsed;
      if (!envelopeValidator.check(parsed.value)) {
        return { ok: false, error: `not an event envelope: ${envelopeValidator.explain(parsed.value)}` };
      }
      const envelope = parsed.value;
      const definition = bySubject.get(subject);
      if (definition && !definition.validator.check(envelope.payload)) {
        return {
          ok: false,
          error: `invalid ${subject} payload: ${definition.validator.explain(envelope.payload)}`,
        };
      }
      return {
        ok: true,
        route: subject,
        messageId: envelope.id,
        correlationId: envelope.correlationId,
        event: envelope,
      };
    },
  };
}
