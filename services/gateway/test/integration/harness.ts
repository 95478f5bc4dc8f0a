import { STRIPE_EVENTS_STREAM, declareStreams } from '@billing/contracts';
import {
  Metrics,
  connectNats,
  createLogger,
  publishObserver,
  type HttpApp,
  type NatsHandle,
} from '@billing/runtime';
import {
  ServiceTestContext,
  newWebhookSecret,
  signStripePayload,
  stripeFixtures as sf,
  useServiceContext,
  type Started,
} from '@billing/testkit';
import { buildGatewayApp, type GatewayAccountDeps } from '../../src/app';
import { effectiveBodyLimit } from '../../src/config';
import { jetStreamEventPublisher } from '../../src/publisher';
import { natsReadiness } from '../../src/readiness';

const logger = createLogger({ service: 'gateway-test', version: 'test', level: 'silent' });

export interface GatewaySetup {
  /** Webhook secrets the gateway verifies with (default: one fresh secret, `h.secret`). */
  secrets?: string[];
  maxBodyBytes?: number;
  metricsToken?: string;
  /** The version the OpenAPI document states. */
  version?: string;
  /** A NATS server of the suite's own instead of the run's. */
  natsUrl?: string;
  /** Stripe accounts besides the default one (STRIPE_ACCOUNTS). */
  accounts?: GatewayAccountDeps[];
}

type Gateway = { http: HttpApp };

/** The gateway: no database and no consumers, only its Stripe events stream. */
export class GatewayContext extends ServiceTestContext<Gateway, { nats: NatsHandle }> {
  /** The secret Stripe signs with (the first of `secrets`). */
  readonly secret: string;

  constructor(private readonly setup: GatewaySetup = {}) {
    super({ name: 'gateway', natsUrl: setup.natsUrl });
    this.secret = setup.secrets?.[0] ?? newWebhookSecret();
  }

  protected async startService(): Promise<Started<Gateway, { nats: NatsHandle }>> {
    const { http, nats } = await this.startGateway({ secrets: [this.secret], ...this.setup });
    return { service: { http }, infra: { nats } };
  }

  /** Another gateway beside the suite's, on the same NATS and stream, built with `setup`. */
  async startGateway(
    setup: GatewaySetup,
  ): Promise<{ http: HttpApp; nats: NatsHandle; close(): Promise<void> }> {
    const nats = await connectNats(this.natsUrl, 'gateway-test', logger, 2000);
    await declareStreams(nats.jsm, [STRIPE_EVENTS_STREAM]);
    // As main.ts does: never more than NATS can store.
    const maxBodyBytes = effectiveBodyLimit(
      setup.maxBodyBytes ?? 1024 * 1024,
      nats.nc.info?.max_payload,
      logger,
    );
    const metrics = new Metrics({ service: 'gateway' });
    const http = await buildGatewayApp({
      config: {
        webhookSecrets: setup.secrets ?? [this.secret],
        toleranceSeconds: 300,
        maxBodyBytes,
        metricsToken: setup.metricsToken,
      },
      logger,
      metrics,
      publisher: jetStreamEventPublisher(nats, 2000, logger, publishObserver(metrics)),
      readiness: natsReadiness(nats),
      version: setup.version,
      accounts: setup.accounts,
    });
    await http.ready();
    const close = async () => {
      await http.close();
      await nats.close();
    };
    return { http, nats, close };
  }

  /** POSTs a webhook body as Stripe does, signed with `secret` unless headers are given. */
  post(
    body: string,
    headers: Record<string, string> = { 'stripe-signature': signStripePayload(body, this.secret) },
    url = '/api/billing/webhooks',
    http: HttpApp = this.service.http,
  ) {
    return http.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });
  }

  /** The messages stored on STRIPE_EVENTS under this event id. */
  async stored(eventId: string) {
    const messages = await this.streamReader(STRIPE_EVENTS_STREAM.name).messages();
    return messages.filter((m) => m.header?.get('Nats-Msg-Id') === eventId);
  }
}

/** The gateway for the suite: started before its tests, closed after them. */
export const useGateway = (setup: GatewaySetup | (() => GatewaySetup) = {}) =>
  useServiceContext(() => new GatewayContext(typeof setup === 'function' ? setup() : setup));

/** A Stripe event's JSON from the testkit's fixtures: a paid $49 checkout session, under `type`. */
export function stripeEventJson(type: sf.StripeEventType = 'checkout.session.completed'): string {
  return JSON.stringify(sf.makeEvent(type, sf.checkoutSession({ amountTotal: 4900, amountSubtotal: 4900 })));
}
