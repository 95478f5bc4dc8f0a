import type { Connection, Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import type { LicenseRecord, RevokeReason } from '../domain/license-view';
import { emailKeyOf, licenseModel, type LicenseDoc } from './license.model';

function toRecord(doc: LicenseDoc): LicenseRecord {
  const { _id, emailKey: _emailKey, ...rest } = doc;
  return { licenseId: _id, ...rest };
}

export class LicenseRepository {
  private readonly model: Model<LicenseDoc>;

  constructor(conn: Connection) {
    this.model = licenseModel(conn);
  }

  /**
   * Stores licenses that do not exist yet. A unit already issued (same order, line, unit index)
   * is left as it is, with its original id and key: the unique index decides, not a lookup.
   */
  async issue(records: readonly LicenseRecord[]): Promise<number> {
    let inserted = 0;
    for (const { licenseId, ...rest } of records) {
      const doc = { _id: licenseId, ...rest, emailKey: emailKeyOf(rest.customerEmail) };
      if (await insertOnce(this.model, doc)) inserted += 1;
    }
    return inserted;
  }

  async byId(licenseId: string): Promise<LicenseRecord | null> {
    const doc = await this.model.findById(licenseId).lean<LicenseDoc>();
    return doc ? toRecord(doc) : null;
  }

  async byOrder(orderId: string): Promise<LicenseRecord[]> {
    return this.find({ orderId });
  }

  async bySubscription(subscriptionId: string): Promise<LicenseRecord[]> {
    return this.find({ subscriptionId });
  }

  async byEmail(customerEmail: string): Promise<LicenseRecord[]> {
    return this.find({ emailKey: emailKeyOf(customerEmail) });
  }

  /** Sets the revocation once; a license already revoked keeps its first reason. */
  async revoke(licenseIds: readonly string[], reason: RevokeReason, at: Date): Promise<void> {
    if (licenseIds.length === 0) return;
    await this.model.updateMany(
      { _id: { $in: licenseIds }, revokedAt: null },
      { $set: { revokedAt: at, revokeReason: reason } },
    );
  }

  /** Operator suspension (a date) or its end (null). */
  async setSuspended(licenseId: string, at: Date | null): Promise<void> {
    await this.model.updateOne({ _id: licenseId }, { $set: { suspendedAt: at } });
  }

  private async find(
    filter: Partial<Pick<LicenseDoc, 'orderId' | 'subscriptionId' | 'emailKey'>>,
  ): Promise<LicenseRecord[]> {
    const docs = await this.model
      .find(filter)
      .sort({ orderId: 1, lineId: 1, unitIndex: 1 })
      .lean<LicenseDoc[]>();
    return docs.map(toRecord);
  }
}
