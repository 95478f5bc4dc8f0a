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
   * Erasure: the account keyed by the email moves to the placeholder key, without its name (its
   * Stripe customer ids and creation time stay). Inserted before the original is deleted, so a
   * crash in between leaves the email for a repeated request to find. Returns the accounts erased.
   */
  async erase(email: string, placeholder: string): Promise<number> {
    const doc = await this.model.findById(email).lean<CustomerDoc>();
    if (!doc) return 0;
    const moved = await insertOnce(this.model, {
      _id: placeholder,
      name: null,
      stripeCustomerIds: doc.stripeCustomerIds,
      createdAt: doc.createdAt,
    });
    // The customer came back after an earlier erasure: their placeholder account exists already.
    if (!moved) {
      for (const id of doc.stripeCustomerIds) {
        await this.model.updateOne(
          { _id: placeholder, stripeCustomerIds: { $ne: id } },
          { $addToSet: { stripeCustomerIds: id } },
        );
      }
    }
    const { deletedCount } = await this.model.deleteOne({ _id: email });
    return deletedCount;
  }
}
