import { CONSUMED_STRIPE_EVENT_TYPES } from '@billing/contracts';
import { createStripeClient, type Logger } from '@billing/runtime';
import type { GatewayAccountDeps } from './app';
import type { GatewayAccount } from './config';
import type { StripeEventPublisher } from './publisher';
import { StripeReconciler } from './reconcile/reconciler';
import type { ReconcilerState } from './reconcile/reconciler-state';
import { stripeEventLister } from './reconcile/stripe-event-lister';
import { stripeEventSource } from './thin-events';

/**
 * Each account's API clients: the source of its thin events and its reconciler (own cursor and
 * lease, under its label); neither without an API key (only the default account can lack one).
 */
export function accountDeps(
  accounts: readonly GatewayAccount[],
  deps: { publisher: StripeEventPublisher; state: ReconcilerState; logger: Logger; intervalMs: number },
): GatewayAccountDeps[] {
  return accounts.map(({ label, webhookSecrets, thinWebhookSecrets, stripeApi }) => ({
    label,
    webhookSecrets,
    thinWebhookSecrets,
    stripeEvents: stripeApi && stripeEventSource(createStripeClient(stripeApi)),
    reconciler:
      stripeApi &&
      new StripeReconciler({
        // The lister honours Stripe's Retry-After itself: no retries hidden inside the client.
        lister: stripeEventLister(
          createStripeClient({ ...stripeApi, maxNetworkRetries: 0 }),
          CONSUMED_STRIPE_EVENT_TYPES,
          deps.logger,
        ),
        publisher: deps.publisher,
        state: deps.state,
        logger: deps.logger.child({ component: 'reconciler', account: label }),
        options: { account: label, intervalMs: deps.intervalMs },
      }),
  }));
}
