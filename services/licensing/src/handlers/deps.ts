import type { TSchema, Static } from '@sinclair/typebox';
import type { EnvelopeInput, EventDefinition } from '@billing/contracts';
import type { EventEmitter, HandlerContext } from '@billing/runtime';
import type { ProductPolicy } from '../config';
import type { CustomerRepository } from '../db/customer.repository';
import type { LicenseRepository } from '../db/license.repository';
import type { OrderFactsRepository } from '../db/order-facts.repository';
import type { SubscriptionRepository } from '../db/subscription.repository';
import type { LicenseSigner } from '../domain/license-key';
import type { TierCatalog } from '../domain/tiers';
import type { LicenseViews } from '../license-views';

/** Everything a handler touches, injected. */
export interface HandlerDeps {
  licenses: LicenseRepository;
  subscriptions: SubscriptionRepository;
  customers: CustomerRepository;
  orderFacts: OrderFactsRepository;
  views: LicenseViews;
  /** Publishes before the message is acknowledged; see DirectEmitter. */
  events: Pick<EventEmitter, 'emit'>;
  signer: Pick<LicenseSigner, 'sign'>;
  policy: {
    tiers: TierCatalog;
    revokeOnPartialRefund: boolean;
    productPolicy: (sku: string) => ProductPolicy;
  };
  clock: () => Date;
  newLicenseId: () => string;
}

/** A domain event ready for `events.emit` (or `outbox.emit`), caused by the message being handled. */
export interface Emission {
  definition: EventDefinition<TSchema>;
  input: EnvelopeInput<unknown>;
}

export function emission<S extends TSchema>(
  definition: EventDefinition<S>,
  id: string,
  payload: Static<S>,
  ctx: Pick<HandlerContext, 'messageId' | 'correlationId'>,
): Emission {
  return {
    definition: definition as unknown as EventDefinition<TSchema>,
    input: { id, payload, correlationId: ctx.correlationId, causationId: ctx.messageId },
  };
}
