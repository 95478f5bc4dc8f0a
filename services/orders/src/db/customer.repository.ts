import type { Connection, Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import { customerModel, type Customer, type CustomerDoc } from './customer.model';
import { renameId } from './insert-once';

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
}
