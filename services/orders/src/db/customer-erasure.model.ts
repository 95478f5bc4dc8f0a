import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One erasure of a customer's personal data (`DELETE /customers/:email/data`), in a chain per
 * email: `_id` is `<emailHash>:<seq>`, one link per request. Two requests at once try the same
 * insert and share the winner's record (and so its event id). The email itself is never stored
 * here, only its hash.
 */
export interface CustomerErasureDoc {
  _id: string;
  /** First 16 hex of sha256 of the lower-cased email (`erasedEmailHash`). */
  emailHash: string;
  /** 1 for the email's first erasure, then 2, 3, ... (a repeated request, or the customer came back). */
  seq: number;
  placeholder: string;
  erasedAt: Date;
  /** The admin request that recorded it, for the audit trail. */
  requestId: string;
}

const erasureSchema = new Schema<CustomerErasureDoc>(
  {
    _id: { type: String, required: true },
    emailHash: { type: String, required: true },
    seq: { type: Number, required: true },
    placeholder: { type: String, required: true },
    erasedAt: { type: Date, required: true },
    requestId: { type: String, required: true },
  },
  { collection: 'customer_erasures', versionKey: false },
);
// Serves "the last erasure of this email" (the next link of its chain, or the one to repeat).
erasureSchema.index({ emailHash: 1, seq: -1 });

export function customerErasureModel(db: Connection): Model<CustomerErasureDoc> {
  return (
    (db.models.CustomerErasure as Model<CustomerErasureDoc> | undefined) ??
    db.model<CustomerErasureDoc>('CustomerErasure', erasureSchema)
  );
}
