import type { Connection, Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import { customerKey, type BillingAccountFields } from '../domain/billing-account';
import { customerModel, type Customer, type CustomerDoc } from './customer.model';

export class CustomerRepository {
  private readonly model: Model<CustomerDoc>;

  constructor(db: Connection) {
    this.model = customerModel(db);
  }

  /**
   * Looks up the account for an email (already lower-cased) or creates it. Concurrent first orders
   * race on the email key; the loser finds the winner's account. A Stripe customer id seen later
   * is added to the account. Each Stripe account has its own customers (see customerKey).
   */
  async ensure(
    input: {
      email: string;
      name: string | null;
      stripeCustomerId: string | null;
      at: Date;
    } & BillingAccountFields,
  ): Promise<void> {
    const key = customerKey(input.email, input.account);
    const created = await insertOnce(this.model, {
      _id: key,
      ...(input.account && { account: input.account }),
      ...(input.stripeAccount && { stripeAccount: input.stripeAccount }),
      name: input.name,
      stripeCustomerIds: input.stripeCustomerId ? [input.stripeCustomerId] : [],
      createdAt: input.at,
    });
    if (created || !input.stripeCustomerId) return;
    await this.model.updateOne(
      { _id: key, stripeCustomerIds: { $ne: input.stripeCustomerId } },
      { $addToSet: { stripeCustomerIds: input.stripeCustomerId } },
    );
  }

  /** The customer of an email in an account (default: the default account). */
  async get(email: string, account?: string): Promise<Customer | null> {
    const doc = await this.model.findById(customerKey(email, account)).lean<CustomerDoc>();
    if (!doc) return null;
    const { _id, ...rest } = doc;
    return { email, ...rest };
  }

  /**
   * Erasure, in one Stripe account: the customer keyed by the email moves to the placeholder key,
   * without its name (its Stripe customer ids, account fields and creation time stay). Inserted
   * before the original is deleted, so a crash in between leaves the email for a repeated request
   * to find. Returns the customers erased (0 or 1).
   */
  async erase(email: string, placeholder: string, account?: string): Promise<number> {
    const key = customerKey(email, account);
    const placeholderKey = customerKey(placeholder, account);
    const doc = await this.model.findById(key).lean<CustomerDoc>();
    if (!doc) return 0;
    const moved = await insertOnce(this.model, {
      _id: placeholderKey,
      ...(doc.account && { account: doc.account }),
      ...(doc.stripeAccount && { stripeAccount: doc.stripeAccount }),
      name: null,
      stripeCustomerIds: doc.stripeCustomerIds,
      createdAt: doc.createdAt,
    });
    // The customer came back after an earlier erasure: their placeholder customer exists already.
    if (!moved) {
      for (const id of doc.stripeCustomerIds) {
        await this.model.updateOne(
          { _id: placeholderKey, stripeCustomerIds: { $ne: id } },
          { $addToSet: { stripeCustomerIds: id } },
        );
      }
    }
    const { deletedCount } = await this.model.deleteOne({ _id: key });
    return deletedCount;
  }
}
