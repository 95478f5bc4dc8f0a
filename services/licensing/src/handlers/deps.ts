import type { TSchema, Static } from '@sinclair/typebox';
import {
  LICENSES_PER_EVENT,
  type EnvelopeInput,
  type EventDefinition,
  type LicensePageV1,
  type LicenseSummaryV1,
} from '@billing/contracts';
import type { EventEmitter, HandlerContext } from '@billing/runtime';
import type { ProductPolicy } from '../config';
import type { CustomerRepository } from '../db/customer.repository';
import type { LicensingErasure } from '../db/customer-erasure.repository';
import type { LicenseRepository } from '../db/license.repository';
import type { OrderFactsRepository } from '../db/order-facts.repository';
import type { RevocationClaims } from '../db/revocation-claim.repository';
import type { SubscriptionRepository } from '../db/subscription.repository';
import type { LicenseSigner } from '../domain/license-key';
import type { TierCatalog } from '../domain/tiers';
import type { LicenseViews } from '../license-views';
import type { LicensingMetrics } from '../metrics';

/** Everything a handler touches, injected. */
export interface HandlerDeps {
  licenses: LicenseRepository;
  subscriptions: SubscriptionRepository;
  customers: CustomerRepository;
  orderFacts: OrderFactsRepository;
  /** Pseudonymizes a customer's data on `orders.customer.erased`. */
  erasure: Pick<LicensingErasure, 'erase'>;
  views: LicenseViews;
  /** Who announces a revocation by a subscription's deletion, when two handlers could. */
  revocations: Pick<RevocationClaims, 'claim'>;
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
  /** Counts the licenses issued; absent in unit tests. */
  metrics?: Pick<LicensingMetrics, 'issued'>;
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

/**
 * An event that lists licenses, as one emission, or one per page of {@link LICENSES_PER_EVENT}
 * when there are more: page 1 under `id`, page n under `<id>:page:<n>`, each with `page`.
 * A message has a size limit; an order of thousands of licenses still gets all of its events.
 */
export function licenseEmissions<S extends TSchema>(
  definition: EventDefinition<S>,
  id: string,
  payload: Static<S> & { licenses: LicenseSummaryV1[] },
  ctx: Pick<HandlerContext, 'messageId' | 'correlationId'>,
): Emission[] {
  const { licenses } = payload;
  if (licenses.length <= LICENSES_PER_EVENT) return [emission(definition, id, payload, ctx)];
  const of = Math.ceil(licenses.length / LICENSES_PER_EVENT);
  return Array.from({ length: of }, (_, i) => {
    const page: LicensePageV1 = { number: i + 1, of, licenseCount: licenses.length };
    const slice = licenses.slice(i * LICENSES_PER_EVENT, (i + 1) * LICENSES_PER_EVENT);
    return emission(
      definition,
      i === 0 ? id : `${id}:page:${i + 1}`,
      { ...payload, licenses: slice, page },
      ctx,
    );
  });
}
