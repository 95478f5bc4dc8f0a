import type { Connection, Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import { renameId } from './rename-id';
import { orderFactModel, type OrderFact, type OrderFactDoc } from './order-fact.model';
import { paymentModel, type Payment, type PaymentDoc } from './payment.model';
import { refundModel, type Refund, type RefundDoc } from './refund.model';

/**
 * The facts, payments and refunds recorded against orders: insert-only, each once under its key.
 * Each insert returns the stored record, so a duplicate yields what the first delivery stored.
 */
export class LedgerRepository {
  private readonly facts: Model<OrderFactDoc>;
  private readonly payments: Model<PaymentDoc>;
  private readonly refunds: Model<RefundDoc>;

  constructor(db: Connection) {
    this.facts = orderFactModel(db);
    this.payments = paymentModel(db);
    this.refunds = refundModel(db);
  }

  async addFact(fact: OrderFact): Promise<{ fact: OrderFact; inserted: boolean }> {
    const { key, ...rest } = fact;
    const inserted = await insertOnce(this.facts, { _id: key, ...rest });
    if (inserted) return { fact, inserted };
    const stored = await this.facts.findById(key).lean<OrderFactDoc>();
    return { fact: stored ? (renameId(stored, 'key') as OrderFact) : fact, inserted };
  }

  async addPayment(payment: Payment): Promise<{ payment: Payment; inserted: boolean }> {
    const { paymentId, ...rest } = payment;
    const inserted = await insertOnce(this.payments, { _id: paymentId, ...rest });
    if (inserted) return { payment, inserted };
    const stored = await this.payments.findById(paymentId).lean<PaymentDoc>();
    return { payment: stored ? (renameId(stored, 'paymentId') as Payment) : payment, inserted };
  }

  async addRefund(refund: Refund): Promise<{ refund: Refund; inserted: boolean }> {
    const { refundId, ...rest } = refund;
    const inserted = await insertOnce(this.refunds, { _id: refundId, ...rest });
    if (inserted) return { refund, inserted };
    const stored = await this.refunds.findById(refundId).lean<RefundDoc>();
    return { refund: stored ? (renameId(stored, 'refundId') as Refund) : refund, inserted };
  }

  async getFact(key: string): Promise<OrderFact | null> {
    const doc = await this.facts.findById(key).lean<OrderFactDoc>();
    return doc ? (renameId(doc, 'key') as OrderFact) : null;
  }

  async factsOf(orderId: string): Promise<OrderFact[]> {
    const docs = await this.facts.find({ orderId }).sort({ at: 1, _id: 1 }).lean<OrderFactDoc[]>();
    return docs.map((d) => renameId(d, 'key') as OrderFact);
  }

  async paymentsOf(orderId: string): Promise<Payment[]> {
    const docs = await this.payments.find({ orderId }).sort({ paidAt: 1, _id: 1 }).lean<PaymentDoc[]>();
    return docs.map((d) => renameId(d, 'paymentId') as Payment);
  }

  async refundsOf(orderId: string): Promise<Refund[]> {
    const docs = await this.refunds.find({ orderId }).sort({ refundedAt: 1, _id: 1 }).lean<RefundDoc[]>();
    return docs.map((d) => renameId(d, 'refundId') as Refund);
  }

  /**
   * Erasure: payments name the placeholder; the receipt URL goes too (anyone holding it can open
   * Stripe's receipt, which shows the customer's email and billing details). Returns the payments changed.
   */
  async erasePayments(email: string, placeholder: string): Promise<number> {
    const result = await this.payments.updateMany(
      { customerEmail: email },
      { $set: { customerEmail: placeholder, receiptUrl: null } },
    );
    return result.modifiedCount;
  }

  /** Erasure: the refunds of these orders that name `email` name the placeholder. */
  async eraseRefunds(orderIds: readonly string[], email: string, placeholder: string): Promise<number> {
    if (orderIds.length === 0) return 0;
    // Refunds are found through their orders (the refund index starts with the order id).
    const result = await this.refunds.updateMany(
      { orderId: { $in: [...orderIds] }, customerEmail: email },
      { $set: { customerEmail: placeholder } },
    );
    return result.modifiedCount;
  }

  async paymentsOfCustomer(email: string, limit: number): Promise<Payment[]> {
    const docs = await this.payments
      .find({ customerEmail: email })
      .sort({ paidAt: -1, _id: -1 })
      .limit(limit)
      .lean<PaymentDoc[]>();
    return docs.map((d) => renameId(d, 'paymentId') as Payment);
  }
}
