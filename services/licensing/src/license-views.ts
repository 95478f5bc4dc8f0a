import { viewOf, type LicenseRecord, type LicenseView } from './domain/license-view';
import { grantsTier, type SubscriptionState } from './domain/subscription-state';
import { featuresOf, highestTier, type TierCatalog } from './domain/tiers';
import type { CustomerRepository } from './db/customer.repository';
import type { LicenseRepository } from './db/license.repository';
import type { OrderFactsRepository } from './db/order-facts.repository';
import type { SubscriptionRepository } from './db/subscription.repository';

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
export class LicenseViews {
  constructor(
    private readonly deps: {
      licenses: LicenseRepository;
      subscriptions: SubscriptionRepository;
      orderFacts: OrderFactsRepository;
      customers: CustomerRepository;
      tiers: TierCatalog;
      revokeOnPartialRefund: boolean;
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

  /**
   * The customer's tier: the highest tier of their live subscriptions (found through the Stripe
   * customers known for the email and through their licenses), else the default tier.
   */
  async tierOf(email: string): Promise<string> {
    const [customerIds, licenses] = await Promise.all([
      this.deps.customers.customerIdsOf(email),
      this.deps.licenses.byEmail(email),
    ]);
    return this.tierFrom(customerIds, licenses);
  }

  async entitlements(email: string): Promise<Entitlements> {
    const [customerIds, licenses] = await Promise.all([
      this.deps.customers.customerIdsOf(email),
      this.deps.licenses.byEmail(email),
    ]);
    const [tier, views] = await Promise.all([this.tierFrom(customerIds, licenses), this.view(licenses)]);
    return { email, tier, features: featuresOf(this.deps.tiers, tier), licenses: views };
  }

  private async tierFrom(
    customerIds: readonly string[],
    licenses: readonly LicenseRecord[],
  ): Promise<string> {
    const subscriptionIds = licenses.map((l) => l.subscriptionId).filter((id): id is string => id !== null);
    const [byCustomer, byLicense] = await Promise.all([
      this.deps.subscriptions.statesOfCustomers(customerIds),
      this.deps.subscriptions.statesOf(subscriptionIds),
    ]);
    const states = new Map([...byCustomer, ...byLicense]);
    const live = [...states.values()].filter(grantsTier).map((s) => s.tier);
    return highestTier(this.deps.tiers, live);
  }
}
