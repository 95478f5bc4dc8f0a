import type { Connection, Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import { revocationClaimModel, type RevocationClaimDoc } from './revocation-claim.model';

/** Decides, license by license, which handler announces a revocation (see RevocationClaimDoc). */
export class RevocationClaims {
  private readonly model: Model<RevocationClaimDoc>;

  constructor(conn: Connection) {
    this.model = revocationClaimModel(conn);
  }

  /**
   * The ids of the licenses whose revocation `by` announces: those it claims now, and those it
   * claimed in an earlier attempt at the same message.
   */
  async claim(licenseIds: readonly string[], by: string, now: Date): Promise<Set<string>> {
    const owned = new Set<string>();
    for (const id of licenseIds) {
      if (await insertOnce(this.model, { _id: id, by, claimedAt: now })) owned.add(id);
    }
    const others = licenseIds.filter((id) => !owned.has(id));
    if (others.length > 0) {
      const earlier = await this.model.find({ _id: { $in: others } }, { by: 1 }).lean<RevocationClaimDoc[]>();
      for (const doc of earlier) if (doc.by === by) owned.add(doc._id);
    }
    return owned;
  }
}
