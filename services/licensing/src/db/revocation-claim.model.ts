import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Who announces that a license was revoked by its subscription's deletion: the deletion's
 * handler (in `licenses.revoked`) or the order's (in `order.licensed`, the license issued
 * revoked). Both may see the revocation when the two messages are handled at the same time; the
 * first insert under the license id decides, so receivers hear of it once.
 */
export interface RevocationClaimDoc {
  /** The license id. */
  _id: string;
  /** `subscription:<event id>` or `order:<order id>`. */
  by: string;
  claimedAt: Date;
}

const schema = new Schema<RevocationClaimDoc>(
  {
    _id: { type: String, required: true },
    by: { type: String, required: true },
    claimedAt: { type: Date, required: true },
  },
  { collection: 'revocation_claims', versionKey: false },
);

export function revocationClaimModel(conn: Connection): Model<RevocationClaimDoc> {
  return conn.models.RevocationClaim ?? conn.model<RevocationClaimDoc>('RevocationClaim', schema);
}
