import { viewOf, type LicenseRecord, type LicenseView } from './license-view';
import { grantsTier, type SubscriptionState } from './subscription-state';
import { featuresOf, highestTier, type TierCatalog } from './tiers';
import type { CustomerRepository } from '../db/customer.repository';
import type { LicenseRepository } from '../db/license.repository';
import type { OrderFactsRepository } from '../db/order-facts.repository';
import type { SubscriptionRepository } from '../db/subscription.repository';

/** What-if inputs: leave out one fact, or assume a subscription state, to see "before" and "after". */
export interface ViewOptions {
  exceptRefundId?: string;
  exceptInvoiceId?: string;
  /** Use this state for the subscription instead of the stored one (null: no state). */
  subscription?: { id: string; state: SubscriptionState | null };
}

export interface Entitlements {
  email: string;
  tier: string;
  features: string[];
  licenses: LicenseView[];
}

/**
 * Current status, tier and expiry of licenses, derived on every read from the stored facts
 * (license, subscription facts, renewals, refunds). Nothing derived is written back, so there is
 * no stored status that concurrent writers could leave behind.
 */
export class LicenseReader {
  constructor(
    private readonly deps: {
      licenses: LicenseRepository;
      subscriptions: SubscriptionRepository;
      orderFacts: OrderFactsRepository;
      customers: CustomerRepository;
      tiers: TierCatalog;
      revokeOnPartialRefund: boolean;
      clock: () => Date;
    },
  ) {}

  async view(licenses: readonly LicenseRecord[], options: ViewOptions = {}): Promise<LicenseView[]> {
    if (licenses.length === 0) return [];
    const orderIds = licenses.map((l) => l.orderId);
    const subscriptionIds = licenses.map((l) => l.subscriptionId).filter((id): id is string => id !== null);
    const [states, paidThrough, refunded] = await Promise.all([
      this.deps.subscriptions.statesOf(subscriptionIds),
      this.deps.orderFacts.paidThrough(orderIds, options.exceptInvoiceId),
      this.deps.orderFacts.revokedByRefund(orderIds, {
        revokeOnPartial: this.deps.revokeOnPartialRefund,
        ...(options.exceptRefundId && { exceptRefundId: options.exceptRefundId }),
      }),
    ]);
    const override = options.subscription;
    return licenses.map((license) => {
      const id = license.subscriptionId;
      const subscription =
        id === null ? null : override?.id === id ? override.state : (states.get(id) ?? null);
      return viewOf(license, {
        subscription,
        refundRevoked: refunded.has(license.orderId),
        paidThrough: paidThrough.get(license.orderId) ?? null,
      });
    });
  }

  async viewOne(license: LicenseRecord): Promise<LicenseView> {
    const [view] = await this.view([license]);
    return view!;
  }

  /** The customer's tier now; see {@link entitlements}. */
  async tierOf(email: string): Promise<string> {
    return (await this.entitlements(email)).tier;
  }

  /**
   * The customer's tier is the highest of: the tiers of their subscriptions that have not ended
   * (found through the Stripe customers known for the email and through their licenses), and the
   * tiers of their usable one-time licenses (e.g. a lifetime PRO license). Else the default tier.
   */
  async entitlements(email: string): Promise<Entitlements> {
    const [customerIds, licenses] = await Promise.all([
      this.deps.customers.customerIdsOf(email),
      this.deps.licenses.byEmail(email),
    ]);
    const subscriptionIds = licenses.map((l) => l.subscriptionId).filter((id): id is string => id !== null);
    const [byCustomer, byLicense, views] = await Promise.all([
      this.deps.subscriptions.statesOfCustomers(customerIds),
      this.deps.subscriptions.statesOf(subscriptionIds),
      this.view(licenses),
    ]);
    const now = this.deps.clock().getTime();
    const fromSubscriptions = [...new Map([...byCustomer, ...byLicense]).values()]
      .filter(grantsTier)
      .map((s) => s.tier);
    const fromOneTime = views
      .filter((v) => v.subscriptionId === null && v.status === 'active')
      .filter((v) => !v.expiresAt || v.expiresAt.getTime() > now)
      .map((v) => v.tier);
    const tier = highestTier(this.deps.tiers, [...fromSubscriptions, ...fromOneTime]);
    return { email, tier, features: featuresOf(this.deps.tiers, tier), licenses: views };
  }
}
