import type { Connection, Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import { customerModel, type Customer, type CustomerDoc } from './customer.model';
import { renameId } from './rename-id';

export class CustomerRepository {
  private readonly model: Model<CustomerDoc>;

  constructor(db: Connection) {
    this.model = customerModel(db);
  }

  /**
   * Looks up the account for an email (already lower-cased) or creates it. Concurrent first orders
   * race on the email key; the loser finds the winner's account. A Stripe customer id seen later
   * is added to the account.
   */
  async ensure(input: {
    email: string;
    name: string | null;
    stripeCustomerId: string | null;
    at: Date;
  }): Promise<void> {
    const created = await insertOnce(this.model, {
      _id: input.email,
      name: input.name,
      stripeCustomerIds: input.stripeCustomerId ? [input.stripeCustomerId] : [],
      createdAt: input.at,
    });
    if (created || !input.stripeCustomerId) return;
    await this.model.updateOne(
      { _id: input.email, stripeCustomerIds: { $ne: input.stripeCustomerId } },
      { $addToSet: { stripeCustomerIds: input.stripeCustomerId } },
    );
  }

  async get(email: string): Promise<Customer | null> {
    const doc = await this.model.findById(email).lean<CustomerDoc>();
    return doc ? (renameId(doc, 'email') as Customer) : null;
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
