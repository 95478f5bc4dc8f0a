import { createHash } from 'node:crypto';
import {
  outboundDataValidators,
  type OutboundDataOf,
  type OutboundEventType,
  type OutboundWebhookBody,
} from '@billing/contracts';
import { PermanentError } from '@billing/runtime';
import type { WebhookEndpointRepository } from '../db/webhook-endpoint.repository';
import type { WebhookMessageRepository } from '../db/webhook-message.repository';

/** One outbound event, before it is fanned out to the endpoints that subscribed to it. */
export interface OutboundEvent<T extends OutboundEventType = OutboundEventType> {
  /** From {@link outboundEventId}: the same on every redelivery of the domain event. */
  id: string;
  type: T;
  /** When the domain event happened. */
  createdAt: string;
  data: OutboundDataOf<T>;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/**
 * The outbound event id for a domain event: deterministic, so redelivering the domain event yields
 * the same webhook (and receivers de-duplicate on `webhook-id`). `part` tells several outbound
 * events of one domain event apart (e.g. the license id for `license.issued`).
 */
export function outboundEventId(domainEventId: string, type: OutboundEventType, part = ''): string {
  return `whevt_${digest(domainEventId, type, part).slice(0, 32)}`;
}

export function outboundMessageId(eventId: string, endpointId: string): string {
  return `whmsg_${digest(eventId, endpointId).slice(0, 32)}`;
}

export function outboundEvent<T extends OutboundEventType>(
  domainEventId: string,
  type: T,
  createdAt: string,
  data: OutboundDataOf<T>,
  part = '',
): OutboundEvent<T> {
  return { id: outboundEventId(domainEventId, type, part), type, createdAt, data };
}

export interface WebhookPublisher {
  /** Stores one message per subscribed endpoint (once), and wakes the delivery worker. */
  publish(events: readonly OutboundEvent[]): Promise<void>;
}

/**
 * Fans each outbound event out to the endpoints subscribed to it. Endpoints are read at fan-out
 * time; a disabled endpoint gets its message stored as failed, so it can be replayed once fixed.
 */
export class WebhookDispatcher implements WebhookPublisher {
  constructor(
    private readonly deps: {
      endpoints: Pick<WebhookEndpointRepository, 'subscribedTo'>;
      messages: Pick<WebhookMessageRepository, 'insertIfAbsent'>;
      now: () => Date;
      /** Called after new messages were stored. */
      onQueued: () => void;
    },
  ) {}

  async publish(events: readonly OutboundEvent[]): Promise<void> {
    let queued = 0;
    for (const event of events) {
      const validator = outboundDataValidators[event.type];
      if (!validator.check(event.data)) {
        throw new PermanentError(`outbound ${event.type} data invalid: ${validator.explain(event.data)}`);
      }
      const body: OutboundWebhookBody = {
        id: event.id,
        event: event.type,
        createdAt: event.createdAt,
        data: event.data,
      };
      const json = JSON.stringify(body);
      for (const endpoint of await this.deps.endpoints.subscribedTo(event.type)) {
        const inserted = await this.deps.messages.insertIfAbsent({
          id: outboundMessageId(event.id, endpoint._id),
          eventId: event.id,
          event: event.type,
          endpointId: endpoint._id,
          body: json,
          now: this.deps.now(),
          deliverable: endpoint.status === 'enabled',
        });
        if (inserted) queued += 1;
      }
    }
    if (queued > 0) this.deps.onQueued();
  }
}
