import type { JetStreamClient } from '@nats-io/jetstream';
import type { EventEnvelopeV1 } from '@billing/contracts';
import { publishWithId, type PublishResult } from './nats';

/** Publishes domain envelopes to `<type>.v<version>` with the envelope id as message id. */
export interface EnvelopePublisher {
  publish(envelope: EventEnvelopeV1): Promise<PublishResult>;
}

export function envelopeSubject(envelope: Pick<EventEnvelopeV1, 'type' | 'version'>): string {
  return `${envelope.type}.v${envelope.version}`;
}

export function jetStreamPublisher(js: JetStreamClient): EnvelopePublisher {
  return {
    publish: (envelope) =>
      publishWithId(js, envelopeSubject(envelope), JSON.stringify(envelope), envelope.id, {
        'Correlation-Id': envelope.correlationId,
      }),
  };
}
