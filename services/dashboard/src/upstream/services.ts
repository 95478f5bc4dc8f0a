import { ApiClient, UpstreamError, path, query } from './api-client';
import type {
  Attempt,
  BulkReplay,
  ConsumersState,
  Customer,
  CustomerNotifications,
  Endpoint,
  HandledMessage,
  License,
  Machine,
  Order,
  OrderDetail,
  ParkedMessage,
  ParkedSummary,
  ReconcileAnswer,
  StripeEventPage,
  StripeReplayAnswer,
  StripeReplaySelection,
  WebhookMessage,
} from './types';

/** The services whose parked messages the dashboard shows (the gateway parks nothing). */
export const PARKING_SERVICES = ['orders', 'licensing', 'notifications'] as const;
export type ParkingService = (typeof PARKING_SERVICES)[number];

export type ParkedFilter = { consumer?: string; kind?: string };

/** The services that consume Stripe events themselves (notifications reads only domain events). */
export const STRIPE_SERVICES = ['orders', 'licensing'] as const;

export type StripeEventSearch = { type?: string; customer?: string; email?: string; limit?: number };

/** Parked messages: the same routes on every consuming service (libs/runtime parked-routes). */
class ParkedApi {
  constructor(private readonly api: ApiClient) {}

  summary(): Promise<ParkedSummary> {
    return this.api.get('/admin/parked/summary');
  }

  async list(filter: {
    consumer?: string;
    kind?: string;
    pending?: boolean;
    limit?: number;
  }): Promise<ParkedMessage[]> {
    return (await this.api.get<{ items: ParkedMessage[] }>(`/admin/parked${query(filter)}`)).items;
  }

  /**
   * A bare 409 (`{outcome}`, no error body) means the message still does not apply (`retry`): an
   * answer, not a failure. A 409 with an error (`permanent_failure`) is one.
   */
  async replayOne(id: string): Promise<{ outcome: { status: string } }> {
    try {
      return await this.api.post(path`/admin/parked/${id}/replay`);
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 409 && err.code === 'http_409') {
        return { outcome: { status: 'retry' } };
      }
      throw err;
    }
  }

  replayMatching(filter: ParkedFilter): Promise<BulkReplay> {
    const body = Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
    return this.api.post('/admin/parked/replay', body);
  }

  /**
   * What the service did with a Stripe event and the domain events it caused, oldest first (the
   * same route on every consuming service: libs/runtime handled-routes).
   */
  async handled(stripeEventId: string): Promise<HandledMessage[]> {
    return (await this.api.get<{ items: HandledMessage[] }>(path`/admin/stripe-events/${stripeEventId}`))
      .items;
  }

  /** The Stripe events the service handled, newest first (libs/runtime handled-routes). */
  stripeEvents(search: StripeEventSearch): Promise<StripeEventPage> {
    return this.api.get(`/admin/stripe-events${query(search)}`);
  }

  /**
   * Runs stored Stripe events through the service's Stripe consumers again (orders and licensing
   * only: libs/runtime handled-routes); effects stay exactly once.
   */
  replayStripeEvents(selection: StripeReplaySelection): Promise<StripeReplayAnswer> {
    return this.api.post('/admin/stripe-events/replay', selection);
  }

  /** Its durable consumers' lag and the streams they read (libs/runtime consumers-routes). */
  consumers(): Promise<ConsumersState> {
    return this.api.get('/admin/consumers');
  }
}

export class OrdersApi {
  readonly parked: ParkedApi;
  constructor(readonly api: ApiClient) {
    this.parked = new ParkedApi(api);
  }

  order(orderId: string): Promise<OrderDetail | null> {
    return this.api.find(path`/orders/${orderId}`);
  }

  async ordersOf(email: string, limit = 50): Promise<Order[]> {
    return (await this.api.get<{ items: Order[] }>(`/orders${query({ email, limit })}`)).items;
  }

  customer(email: string): Promise<Customer | null> {
    return this.api.find(path`/customers/${email}`);
  }
}

export type LicenseAction = 'suspend' | 'reinstate' | 'revoke';

export class LicensingApi {
  readonly parked: ParkedApi;
  constructor(readonly api: ApiClient) {
    this.parked = new ParkedApi(api);
  }

  async licensesOf(filter: { email: string } | { orderId: string }): Promise<License[]> {
    return (await this.api.get<{ licenses: License[] }>(`/licenses${query(filter)}`)).licenses;
  }

  license(licenseId: string): Promise<{ license: License; machines: Machine[] } | null> {
    return this.api.find(path`/admin/licenses/${licenseId}`);
  }

  change(licenseId: string, action: LicenseAction): Promise<{ license: License }> {
    return this.api.post(path`/admin/licenses/${licenseId}/${action}`);
  }
}

export class NotificationsApi {
  readonly parked: ParkedApi;
  constructor(readonly api: ApiClient) {
    this.parked = new ParkedApi(api);
  }

  async endpoints(): Promise<Endpoint[]> {
    return (await this.api.get<{ items: Endpoint[] }>('/webhooks/endpoints')).items;
  }

  endpoint(id: string): Promise<Endpoint | null> {
    return this.api.find(path`/webhooks/endpoints/${id}`);
  }

  async messagesOf(endpointId: string, status?: string, limit = 100): Promise<WebhookMessage[]> {
    const to = `${path`/webhooks/endpoints/${endpointId}/messages`}${query({ status, limit })}`;
    return (await this.api.get<{ items: WebhookMessage[] }>(to)).items;
  }

  message(id: string): Promise<(WebhookMessage & { attemptLog: Attempt[] }) | null> {
    return this.api.find(path`/webhooks/messages/${id}`);
  }

  replayMessage(id: string): Promise<{ replayed: number }> {
    return this.api.post(path`/webhooks/messages/${id}/replay`);
  }

  setEnabled(id: string, enabled: boolean): Promise<Endpoint> {
    return this.api.post(path`/webhooks/endpoints/${id}/${enabled ? 'enable' : 'disable'}`);
  }

  rotateSecret(id: string): Promise<{ id: string; secret: string; previousSecretsExpireAt: string[] }> {
    return this.api.post(path`/webhooks/endpoints/${id}/rotate-secret`, {});
  }

  replaySince(id: string, since: string, includeDelivered: boolean): Promise<{ replayed: number }> {
    return this.api.post(path`/webhooks/endpoints/${id}/replay`, { since, includeDelivered });
  }

  /** Emails and webhook messages that name the customer (notifications' customer-activity route). */
  customerNotifications(email: string, limit = 100): Promise<CustomerNotifications> {
    return this.api.get(`${path`/admin/customers/${email}/notifications`}${query({ limit })}`);
  }
}

/** The gateway's admin API: only reconciliation (it parks nothing and has no handled-message log). */
export class GatewayApi {
  constructor(readonly api: ApiClient) {}

  /** Stores the Stripe events of the range that the stream lacks (from Stripe's Events API). */
  reconcile(since: string, until?: string): Promise<ReconcileAnswer> {
    return this.api.post(`/admin/reconcile${query({ since, until })}`);
  }
}

export interface Upstreams {
  orders: OrdersApi;
  licensing: LicensingApi;
  notifications: NotificationsApi;
  gateway: GatewayApi;
}

export function upstreams(config: {
  adminToken: string;
  upstreams: Record<ParkingService | 'gateway', string>;
  upstreamTimeoutMs: number;
}): Upstreams {
  const client = (service: ParkingService | 'gateway') =>
    new ApiClient(service, config.upstreams[service], config.adminToken, config.upstreamTimeoutMs);
  return {
    orders: new OrdersApi(client('orders')),
    licensing: new LicensingApi(client('licensing')),
    notifications: new NotificationsApi(client('notifications')),
    gateway: new GatewayApi(client('gateway')),
  };
}
