import type { EventEmitter } from '@billing/runtime';
import type { ProductPolicy } from '../config';
import type { CustomerRepository } from '../db/customer.repository';
import type { LicensingErasure } from '../db/customer-erasure.repository';
import type { LicenseRepository } from '../db/license.repository';
import type { OrderFactsRepository } from '../db/order-facts.repository';
import type { RevocationClaims } from '../db/revocation-claim.repository';
import type { SubscriptionRepository } from '../db/subscription.repository';
import type { LicenseSigner } from '../domain/license-key';
import type { TierCatalog } from '../domain/tiers';
import type { LicenseReader } from '../domain/license-reader';
import type { TierAnnouncer } from '../domain/tier-announcer';
import type { LicensingMetrics } from '../metrics';

/** Everything a handler touches, injected: the methods it calls, so a unit test passes fakes. */
export interface HandlerDeps {
  licenses: Pick<LicenseRepository, 'byOrder' | 'bySubscription' | 'issue'>;
  subscriptions: Pick<SubscriptionRepository, 'fact' | 'isCurrent' | 'previousOf' | 'record' | 'stateOf'>;
  customers: Pick<CustomerRepository, 'emailOf' | 'remember'>;
  orderFacts: Pick<OrderFactsRepository, 'recordRefund' | 'recordRenewal'>;
  /** Pseudonymizes a customer's data on `orders.customer.erased`. */
  erasure: Pick<LicensingErasure, 'erase'>;
  views: Pick<LicenseReader, 'view'>;
  /** Who announces a revocation by a subscription's deletion, when two handlers could. */
  revocations: Pick<RevocationClaims, 'claim'>;
  /** Publishes before the message is acknowledged; see DirectEmitter. */
  events: Pick<EventEmitter, 'emit'>;
  signer: Pick<LicenseSigner, 'sign'>;
  /** Emits a handler's events with the tier change they cause; one per process. */
  announcer: Pick<TierAnnouncer, 'emitWithTierChange'>;
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
