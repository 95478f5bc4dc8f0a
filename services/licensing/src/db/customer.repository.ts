import type { Connection, Model } from 'mongoose';
import { isDuplicateKeyError } from '@billing/runtime';
import { emailKeyOf } from './license.model';
import { customerModel, customerTierModel, type CustomerDoc, type CustomerTierDoc } from './customer.model';

export class CustomerRepository {
  private readonly customers: Model<CustomerDoc>;
  private readonly tiers: Model<CustomerTierDoc>;

  constructor(conn: Connection) {
    this.customers = customerModel(conn);
    this.tiers = customerTierModel(conn);
  }

  /** Remembers (or updates) the email of a Stripe customer. */
  async remember(stripeCustomerId: string, email: string, at: Date): Promise<void> {
    const write = () =>
      this.customers.updateOne(
        { _id: stripeCustomerId },
        { $set: { email, emailKey: emailKeyOf(email), updatedAt: at } },
        { upsert: true },
      );
    try {
      await write();
    } catch (err) {
      // Two concurrent upserts of a new id: the loser's insert fails; its update now succeeds.
      if (!isDuplicateKeyError(err)) throw err;
      await write();
    }
  }

  async emailOf(stripeCustomerId: string): Promise<string | null> {
    const doc = await this.customers.findById(stripeCustomerId).lean<CustomerDoc>();
    return doc?.email ?? null;
  }

  async customerIdsOf(email: string): Promise<string[]> {
    const docs = await this.customers.find({ emailKey: emailKeyOf(email) }).lean<CustomerDoc[]>();
    return docs.map((d) => d._id);
  }

  async announcedTier(email: string): Promise<string | null> {
    const doc = await this.tiers.findById(emailKeyOf(email)).lean<CustomerTierDoc>();
    return doc?.tier ?? null;
  }

  async setAnnouncedTier(email: string, tier: string, at: Date): Promise<void> {
    const write = () =>
      this.tiers.updateOne({ _id: emailKeyOf(email) }, { $set: { tier, updatedAt: at } }, { upsert: true });
    try {
      await write();
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      await write();
    }
  }
}
