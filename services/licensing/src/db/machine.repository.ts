import type { Connection, Model } from 'mongoose';
import { isDuplicateKeyError } from '@billing/runtime';
import { machineModel, type MachineDoc } from './machine.model';

export interface Machine {
  licenseId: string;
  fingerprint: string;
  name: string | null;
  slot: number;
  activatedAt: Date;
}

export type ActivationResult =
  | { outcome: 'activated'; machine: Machine }
  | { outcome: 'already_active'; machine: Machine }
  | { outcome: 'no_free_seat'; used: number };

const toMachine = ({ licenseId, fingerprint, name, slot, activatedAt }: MachineDoc): Machine => ({
  licenseId,
  fingerprint,
  name,
  slot,
  activatedAt,
});

export class MachineRepository {
  private readonly model: Model<MachineDoc>;

  constructor(conn: Connection) {
    this.model = machineModel(conn);
  }

  async find(licenseId: string, fingerprint: string): Promise<Machine | null> {
    const doc = await this.model.findOne({ licenseId, fingerprint }).lean<MachineDoc>();
    return doc ? toMachine(doc) : null;
  }

  async list(licenseId: string): Promise<Machine[]> {
    const docs = await this.model.find({ licenseId }).sort({ slot: 1 }).lean<MachineDoc[]>();
    return docs.map(toMachine);
  }

  async count(licenseId: string): Promise<number> {
    return this.model.countDocuments({ licenseId });
  }

  /**
   * Takes the first free seat below `seats`. Each attempt is an insert the unique indexes judge:
   * a taken seat moves on to the next one, the same fingerprint inserted concurrently is the
   * same activation. Counting first and inserting after would let two racers both pass.
   */
  async activate(
    licenseId: string,
    fingerprint: string,
    name: string | null,
    seats: number,
    at: Date,
  ): Promise<ActivationResult> {
    const existing = await this.find(licenseId, fingerprint);
    if (existing) return { outcome: 'already_active', machine: existing };
    const taken = new Set((await this.list(licenseId)).map((m) => m.slot));
    for (let slot = 0; slot < seats; slot++) {
      if (taken.has(slot)) continue;
      try {
        const doc = await this.model.create({ licenseId, slot, fingerprint, name, activatedAt: at });
        return { outcome: 'activated', machine: toMachine(doc.toObject()) };
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const raced = await this.find(licenseId, fingerprint);
        if (raced) return { outcome: 'already_active', machine: raced };
      }
    }
    return { outcome: 'no_free_seat', used: await this.count(licenseId) };
  }

  /** Frees the machine's seat; false when the fingerprint was not activated. */
  async deactivate(licenseId: string, fingerprint: string): Promise<boolean> {
    const result = await this.model.deleteOne({ licenseId, fingerprint });
    return result.deletedCount > 0;
  }
}
