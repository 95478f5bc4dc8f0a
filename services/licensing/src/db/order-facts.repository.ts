import type { Connection, Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import { refundModel, renewalModel, type RefundDoc, type RenewalDoc } from './order-facts.model';

export type Renewal = Omit<RenewalDoc, '_id' | 'recordedAt'> & { invoiceId: string };
export type Refund = Omit<RefundDoc, '_id' | 'recordedAt'> & { refundId: string };

/** Facts about orders that decide their licenses' expiry and revocation: paid renewals, refunds. */
export class OrderFactsRepository {
  private readonly renewals: Model<RenewalDoc>;
  private readonly refunds: Model<RefundDoc>;

  constructor(conn: Connection) {
    this.renewals = renewalModel(conn);
    this.refunds = refundModel(conn);
  }

  /** Stores a renewal once per invoice; false when it was already stored. */
  async recordRenewal(renewal: Renewal, at: Date): Promise<boolean> {
    const { invoiceId, ...rest } = renewal;
    return insertOnce(this.renewals, { _id: invoiceId, ...rest, recordedAt: at });
  }

  /** Latest paid period end per order, optionally leaving one invoice out. */
  async paidThrough(orderIds: readonly string[], exceptInvoiceId?: string): Promise<Map<string, Date>> {
    const filter: Record<string, unknown> = { orderId: { $in: [...new Set(orderIds)] } };
    if (exceptInvoiceId) filter._id = { $ne: exceptInvoiceId };
    const docs = await this.renewals.find(filter, { orderId: 1, periodEnd: 1 }).lean<RenewalDoc[]>();
    const out = new Map<string, Date>();
    for (const doc of docs) {
      const current = out.get(doc.orderId);
      if (!current || doc.periodEnd.getTime() > current.getTime()) out.set(doc.orderId, doc.periodEnd);
    }
    return out;
  }

  /** Stores a refund once; false when it was already stored. */
  async recordRefund(refund: Refund, at: Date): Promise<boolean> {
    const { refundId, ...rest } = refund;
    return insertOnce(this.refunds, { _id: refundId, ...rest, recordedAt: at });
  }

  /**
   * Orders (of those given) whose licenses a refund revoked: a full refund, or any refund when
   * partial refunds revoke too. One refund can be left out ("revoked by something else?").
   */
  async revokedByRefund(
    orderIds: readonly string[],
    options: { revokeOnPartial: boolean; exceptRefundId?: string },
  ): Promise<Set<string>> {
    const filter: Record<string, unknown> = { orderId: { $in: [...new Set(orderIds)] } };
    if (!options.revokeOnPartial) filter.full = true;
    if (options.exceptRefundId) filter._id = { $ne: options.exceptRefundId };
    const docs = await this.refunds.find(filter, { orderId: 1 }).lean<RefundDoc[]>();
    return new Set(docs.map((d) => d.orderId));
  }
}
