import type { JetStreamClient } from '@nats-io/jetstream';
import type { EventEnvelopeV1 } from '@billing/contracts';
import { PermanentError } from './errors';
import { publishWithId, type PublishResult } from './nats';

/** Publishes domain envelopes to `<type>.v<version>` with the envelope id as message id. */
export interface EnvelopePublisher {
  /**
   * Throws a PermanentError when the envelope can never be published (larger than the stream or
   * the server accepts), so that it is refused where it is emitted instead of retried forever.
   */
  check(envelope: EventEnvelopeV1): void;
  publish(envelope: EventEnvelopeV1): Promise<PublishResult>;
}

export function envelopeSubject(envelope: Pick<EventEnvelopeV1, 'type' | 'version'>): string {
  return `${envelope.type}.v${envelope.version}`;
}

/** Room left for the message id and the other headers beside the body. */
const HEADER_ROOM = 4096;

/** `maxBytes`: the smaller of the stream's largest message and the server's largest payload. */
export function jetStreamPublisher(js: JetStreamClient, maxBytes: number): EnvelopePublisher {
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
    publish: (envelope) =>
      publishWithId(js, envelopeSubject(envelope), check(envelope), envelope.id, {
        'Correlation-Id': envelope.correlationId,
      }),
  };
}
