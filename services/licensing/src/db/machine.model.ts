import { Schema, Types, type Connection, type Model } from 'mongoose';

/**
 * A machine activated on a license, occupying one numbered seat. The seat number is what makes
 * the limit hold under concurrency without transactions: two activations racing for the last
 * seat try to insert the same (licenseId, slot) and the unique index lets only one win.
 */
export interface MachineDoc {
  _id: Types.ObjectId;
  licenseId: string;
  /** 0 .. seats-1. */
  slot: number;
  fingerprint: string;
  name: string | null;
  activatedAt: Date;
}

const machineSchema = new Schema<MachineDoc>(
  {
    licenseId: { type: String, required: true },
    slot: { type: Number, required: true },
    fingerprint: { type: String, required: true },
    name: { type: String, default: null },
    activatedAt: { type: Date, required: true },
  },
  { collection: 'machines', versionKey: false },
);
// One machine per seat; serves "the machines of this license".
machineSchema.index({ licenseId: 1, slot: 1 }, { unique: true });
// A fingerprint is activated once per license; serves activation lookups and deactivation.
machineSchema.index({ licenseId: 1, fingerprint: 1 }, { unique: true });

export function machineModel(conn: Connection): Model<MachineDoc> {
  return conn.models.Machine ?? conn.model<MachineDoc>('Machine', machineSchema);
}
