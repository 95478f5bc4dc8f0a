import type { Connection, Model } from 'mongoose';
import { HandledLog, insertOnce } from '@billing/runtime';
import {
  customerModel,
  tierAnnouncementModel,
  type CustomerDoc,
  type TierAnnouncementDoc,
} from './customer.model';
import { emailKeyOf, licenseModel, type LicenseDoc } from './license.model';
import { machineModel, type MachineDoc } from './machine.model';

/** Documents changed per collection by one erasure (all 0 when applied again). */
export interface LicensingErasedCounts {
  licenses: number;
  customers: number;
  tierAnnouncements: number;
  machines: number;
}

/**
 * Erases what licensing holds about a customer (`orders.customer.erased.v1`) by pseudonymizing it:
 * licenses, Stripe customer links and tier announcements name the placeholder instead of the
 * email; machine names (chosen by the customer's apps) are blanked. Licenses keep their ids, keys,
 * status and expiry, so they stay valid, and the customer keeps their tier under the placeholder.
 * License keys carry no email (their claims are id, SKU, tier and dates), so issued keys are
 * untouched. Every write sets fixed values or inserts under a unique key, so a redelivery or a
 * concurrent replica changes nothing more; licenses are rewritten last, because a redelivery after
 * a crash finds the rest through them.
 */
export class LicensingErasure {
  private readonly licenses: Model<LicenseDoc>;
  private readonly customers: Model<CustomerDoc>;
  private readonly announcements: Model<TierAnnouncementDoc>;
  private readonly machines: Model<MachineDoc>;
  /** The handled-message log keeps the email of the Stripe events that carried it. */
  private readonly handled: HandledLog;

  constructor(conn: Connection) {
    this.handled = new HandledLog(conn);
    this.licenses = licenseModel(conn);
    this.customers = customerModel(conn);
    this.announcements = tierAnnouncementModel(conn);
    this.machines = machineModel(conn);
  }

  async erase(email: string, placeholder: string): Promise<LicensingErasedCounts> {
    const emailKey = emailKeyOf(email);
    const placeholderKey = emailKeyOf(placeholder);

    // Licenses already moved to the placeholder (by an earlier erasure) are included: machines
    // activated on them since may carry names.
    const licenseIds = (
      await this.licenses
        .find({ emailKey: { $in: [emailKey, placeholderKey] } }, { _id: 1 })
        .lean<Array<Pick<LicenseDoc, '_id'>>>()
    ).map((l) => l._id);
    const machines =
      licenseIds.length === 0
        ? 0
        : (
            await this.machines.updateMany(
              { licenseId: { $in: licenseIds }, name: { $ne: null } },
              { $set: { name: null } },
            )
          ).modifiedCount;

    const tierAnnouncements = await this.moveAnnouncements(emailKey, placeholderKey);
    await this.handled.eraseEmail(email, placeholder);
    const customers = (
      await this.customers.updateMany(
        { emailKey },
        { $set: { email: placeholder, emailKey: placeholderKey } },
      )
    ).modifiedCount;
    const licenses = (
      await this.licenses.updateMany(
        { emailKey },
        { $set: { customerEmail: placeholder, emailKey: placeholderKey } },
      )
    ).modifiedCount;
    return { licenses, customers, tierAnnouncements, machines };
  }

  /**
   * The email's chain of tier announcements continues under the placeholder (`_id` names the
   * email, so each link is copied to `<placeholder>:<seq>`, then the originals are deleted): the
   * customer's tier, now computed under the placeholder, is not announced again as a change.
   */
  private async moveAnnouncements(emailKey: string, placeholderKey: string): Promise<number> {
    const links = await this.announcements.find({ emailKey }).sort({ seq: -1 }).lean<TierAnnouncementDoc[]>();
    for (const link of links) {
      // A link of an earlier erasure of the same email keeps its place (insert once).
      await insertOnce(this.announcements, {
        ...link,
        _id: `${placeholderKey}:${link.seq}`,
        emailKey: placeholderKey,
        payload: { ...link.payload, customerEmail: placeholderKey },
      });
    }
    if (links.length === 0) return 0;
    return (await this.announcements.deleteMany({ emailKey })).deletedCount;
  }
}
