import type { Connection, Model } from 'mongoose';
import { insertOnce, isDuplicateKeyError } from '@billing/runtime';
import { emailKeyOf } from './license.model';
import {
  customerModel,
  tierAnnouncementModel,
  type CustomerDoc,
  type TierAnnouncementDoc,
} from './customer.model';

export class CustomerRepository {
  private readonly customers: Model<CustomerDoc>;
  private readonly announcements: Model<TierAnnouncementDoc>;

  constructor(conn: Connection) {
    this.customers = customerModel(conn);
    this.announcements = tierAnnouncementModel(conn);
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

  /** The email's last tier announcement, if any. */
  async lastAnnouncement(email: string): Promise<TierAnnouncementDoc | null> {
    return this.announcements
      .findOne({ emailKey: emailKeyOf(email) })
      .sort({ seq: -1 })
      .lean<TierAnnouncementDoc>();
  }

  /** The announcements this message decided (published again after a crash). */
  announcementsOf(messageId: string): Promise<TierAnnouncementDoc[]> {
    return this.announcements.find({ messageId }).lean<TierAnnouncementDoc[]>();
  }

  /** Adds the next link of the email's chain; false when another one took that place first. */
  addAnnouncement(announcement: Omit<TierAnnouncementDoc, '_id' | 'emailKey'> & { email: string }) {
    const { email, ...rest } = announcement;
    const emailKey = emailKeyOf(email);
    return insertOnce(this.announcements, { _id: `${emailKey}:${rest.seq}`, emailKey, ...rest });
  }
}
