import type { JetStreamClient } from '@nats-io/jetstream';
import type { EventEnvelopeV1 } from '@billing/contracts';
import { PermanentError } from './errors';
import { secondsSince, type PublishObserver } from './metrics';
import { publishWithId, type PublishResult } from './nats';

/** Publishes domain envelopes to `<type>.v<version>` with the envelope id as message id. */
export interface EnvelopePublisher {
  /**
   * Throws a PermanentError when the envelope can never be published (larger than the stream or
   * the server accepts), so that it is refused where it is emitted instead of retried forever.
   */
  check(envelope: EventEnvelopeV1): void;
  /** `traceContext`: the trace headers to send, when not the active span's (the outbox relay). */
  publish(envelope: EventEnvelopeV1, traceContext?: Record<string, string>): Promise<PublishResult>;
}

export function envelopeSubject(envelope: Pick<EventEnvelopeV1, 'type' | 'version'>): string {
  return `${envelope.type}.v${envelope.version}`;
}

/** Room left for the message id and the other headers beside the body. */
const HEADER_ROOM = 4096;

/**
 * `maxBytes`: the smaller of the stream's largest message and the server's largest payload.
 * `observe` is told how long each publish took (see publishObserver).
 */
export function jetStreamPublisher(
  js: JetStreamClient,
  maxBytes: number,
  observe?: PublishObserver,
): EnvelopePublisher {
  const limit = maxBytes - HEADER_ROOM;
  const check = (envelope: EventEnvelopeV1, json = JSON.stringify(envelope)) => {
    const size = Buffer.byteLength(json);
    if (size > limit) {
      throw new PermanentError(
        `${envelopeSubject(envelope)} ${envelope.id} is ${size} bytes, more than the ${limit} bytes a message may have`,
      );
    }
    return json;
  };
  return {
    check: (envelope) => void check(envelope),
    publish: async (envelope, traceContext = {}) => {
      const json = check(envelope);
      const start = process.hrtime.bigint();
      try {
        const result = await publishWithId(js, envelopeSubject(envelope), json, envelope.id, {
          ...traceContext,
          'Correlation-Id': envelope.correlationId,
        });
        observe?.(result.duplicate ? 'duplicate' : 'stored', secondsSince(start));
        return result;
      } catch (err) {
        observe?.('failed', secondsSince(start));
        throw err;
      }
    },
  };
}
