import type { Connection, Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import { customerErasureModel, type CustomerErasureDoc } from './customer-erasure.model';

/** The chain of erasures per email (see {@link CustomerErasureDoc}). */
export class CustomerErasureRepository {
  private readonly model: Model<CustomerErasureDoc>;

  constructor(db: Connection) {
    this.model = customerErasureModel(db);
  }

  last(emailHash: string): Promise<CustomerErasureDoc | null> {
    return this.model.findOne({ emailHash }).sort({ seq: -1 }).lean<CustomerErasureDoc>();
  }

  /**
   * Records the erasure after `last` (an insert under `<emailHash>:<seq>`). Of concurrent
   * requests that read the same `last`, one insert wins and all return its record.
   */
  async next(
    last: CustomerErasureDoc | null,
    input: Pick<CustomerErasureDoc, 'emailHash' | 'placeholder' | 'erasedAt' | 'requestId'>,
  ): Promise<CustomerErasureDoc> {
    const seq = (last?.seq ?? 0) + 1;
    const doc: CustomerErasureDoc = { _id: `${input.emailHash}:${seq}`, seq, ...input };
    if (await insertOnce(this.model, doc)) return doc;
    const winner = await this.model.findById(doc._id).lean<CustomerErasureDoc>();
    if (!winner) throw new Error(`erasure ${doc._id} conflicts but cannot be read`);
    return winner;
  }
}
