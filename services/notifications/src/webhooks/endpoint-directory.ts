import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { WEBHOOK_ENDPOINTS_CHANGED_SUBJECT } from '@billing/contracts';
import type { Logger } from '@billing/runtime';
import type { WebhookEndpoint } from '../db/webhook-endpoint.model';
import type { WebhookEndpointRepository } from '../db/webhook-endpoint.repository';

/** What the fan-out and the delivery worker read of the endpoints. */
export interface EndpointLookup {
  /** Endpoints (enabled or not) subscribed to the event by name or with `*`. */
  subscribedTo(event: string): WebhookEndpoint[];
  get(id: string): WebhookEndpoint | undefined;
}

/**
 * Every webhook endpoint, held in memory: fanning an event out and attempting a delivery read no
 * database. Endpoints are few and change rarely; every change made through the API reloads the
 * list here at once and, through a core NATS notice, on the other replicas, and the list is also
 * reloaded every `refreshMs` in case a notice was lost (NATS reconnecting).
 */
export class EndpointDirectory implements EndpointLookup {
  private endpoints: WebhookEndpoint[] = [];
  private byId = new Map<string, WebhookEndpoint>();
  private loading: Promise<void> | undefined;
  private reloadAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private subscription: Subscription | undefined;

  constructor(
    private readonly deps: {
      repository: Pick<WebhookEndpointRepository, 'list'>;
      nats: NatsConnection;
      logger: Logger;
      refreshMs: number;
    },
  ) {}

  async start(): Promise<void> {
    this.subscription = this.deps.nats.subscribe(WEBHOOK_ENDPOINTS_CHANGED_SUBJECT, {
      callback: () => void this.reload().catch(() => undefined),
    });
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch(() => undefined), this.deps.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.subscription?.unsubscribe();
  }

  subscribedTo(event: string): WebhookEndpoint[] {
    return this.endpoints.filter((e) => e.events.includes(event) || e.events.includes('*'));
  }

  get(id: string): WebhookEndpoint | undefined {
    return this.byId.get(id);
  }

  /** Every endpoint, enabled or not. */
  all(): readonly WebhookEndpoint[] {
    return this.endpoints;
  }

  /** After a change made here: reload now, and tell the other replicas to. */
  async changed(): Promise<void> {
    await this.reload();
    this.deps.nats.publish(WEBHOOK_ENDPOINTS_CHANGED_SUBJECT);
  }

  /** Re-reads the list; calls during a read wait for one more read that starts after it. */
  reload(): Promise<void> {
    if (this.loading) {
      this.reloadAgain = true;
      return this.loading;
    }
    this.loading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          const list = await this.deps.repository.list();
          this.endpoints = list;
          this.byId = new Map(list.map((e) => [e._id, e]));
        } while (this.reloadAgain);
      } catch (err) {
        this.deps.logger.warn({ err }, 'webhook endpoints could not be reloaded');
        throw err;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }
}
