import { createHash } from 'node:crypto';
import {
  outboundDataValidators,
  type OutboundDataOf,
  type OutboundEventType,
  type OutboundWebhookBody,
} from '@billing/contracts';
import { PermanentError } from '@billing/runtime';
import type { WebhookMessageDoc } from '../db/webhook-message.model';
import type { WebhookMessageRepository } from '../db/webhook-message.repository';
import type { EndpointLookup } from './endpoint-directory';

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
  /** Stores one message per subscribed endpoint (once), and hands them to the delivery worker. */
  publish(events: readonly OutboundEvent[]): Promise<void>;
}

/**
 * Fans each outbound event out to the endpoints subscribed to it. Endpoints are read at fan-out
 * time; a disabled endpoint gets its message stored as failed, so it can be replayed once fixed.
 * The messages this process stores are attempted by it at once (`onQueued`); their first attempt
 * is left to this process for `holdMs`, so other replicas neither poll for them nor race for the
 * attempt, and take them over only if this process dies first.
 */
export class WebhookDispatcher implements WebhookPublisher {
  constructor(
    private readonly deps: {
      endpoints: Pick<EndpointLookup, 'subscribedTo'>;
      messages: Pick<WebhookMessageRepository, 'insertIfAbsent'>;
      now: () => Date;
      holdMs: number;
      /** Called with the deliverable messages just stored. */
      onQueued: (messages: WebhookMessageDoc[]) => void;
    },
  ) {}

  async publish(events: readonly OutboundEvent[]): Promise<void> {
    const queued: WebhookMessageDoc[] = [];
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
      // Every outbound event names its customer here (or null); stored so an erasure finds it.
      const { customerEmail, account } = event.data as { customerEmail?: string | null; account?: string };
      for (const endpoint of this.deps.endpoints.subscribedTo(event.type)) {
        const now = this.deps.now();
        const stored = await this.deps.messages.insertIfAbsent({
          id: outboundMessageId(event.id, endpoint._id),
          eventId: event.id,
          event: event.type,
          endpointId: endpoint._id,
          body: json,
          customerEmail: customerEmail ? customerEmail.trim().toLowerCase() : null,
          ...(account && { account }),
          now,
          firstAttemptAt: new Date(now.getTime() + this.deps.holdMs),
          deliverable: endpoint.status === 'enabled',
        });
        if (stored?.status === 'pending') queued.push(stored);
      }
    }
    if (queued.length > 0) this.deps.onQueued(queued);
  }
}
