import type { Connection, QueryFilter, Model } from 'mongoose';
import { insertOnce } from '@billing/runtime';
import { DEFAULT_BILLING_ACCOUNT, type OrderStatus } from '@billing/contracts';
import type { DerivedOrderState } from '../domain/order-state';
import { renameId } from './rename-id';
import { orderLinkModel, type OrderLinkDoc } from './order-link.model';
import { orderModel, type Order, type OrderDoc } from './order.model';

/** Position after the last order of a page (orders are listed newest first). */
export interface OrderCursor {
  createdAt: Date;
  orderId: string;
}

export interface OrderListFilter {
  email?: string;
  status?: OrderStatus;
  limit: number;
  after?: OrderCursor;
}

const toOrder = (doc: OrderDoc): Order => renameId(doc, 'orderId') as Order;

export class OrderRepository {
  private readonly model: Model<OrderDoc>;
  private readonly links: Model<OrderLinkDoc>;

  constructor(db: Connection) {
    this.model = orderModel(db);
    this.links = orderLinkModel(db);
  }

  /**
   * Records (once) that the order's PaymentIntent and subscription lead to it. Stored before the
   * order itself and again on every redelivery, so a crash in between leaves nothing unlinked.
   */
  async link(order: Pick<Order, 'orderId' | 'paymentIntentId' | 'subscriptionId'>): Promise<void> {
    const keys = [
      order.paymentIntentId ? `pi:${order.paymentIntentId}` : null,
      order.subscriptionId ? `sub:${order.subscriptionId}` : null,
    ].filter((k): k is string => k !== null);
    for (const key of keys) await insertOnce(this.links, { _id: key, orderId: order.orderId });
  }

  /** False when an order for the same id / checkout session exists already. */
  insert(order: Order): Promise<boolean> {
    const { orderId, ...rest } = order;
    return insertOnce(this.model, { _id: orderId, ...rest });
  }

  async get(orderId: string): Promise<Order | null> {
    const doc = await this.model.findById(orderId).lean<OrderDoc>();
    return doc ? toOrder(doc) : null;
  }

  byPaymentIntent(paymentIntentId: string): Promise<Order | null> {
    return this.byLink(`pi:${paymentIntentId}`);
  }

  /** The order whose checkout created the subscription. */
  bySubscription(subscriptionId: string): Promise<Order | null> {
    return this.byLink(`sub:${subscriptionId}`);
  }

  private async byLink(key: string): Promise<Order | null> {
    const link = await this.links.findById(key).lean<OrderLinkDoc>();
    return link ? this.get(link.orderId) : null;
  }

  /**
   * Writes the derived state computed from revision `revision` of the order; false (nothing
   * written) when the order is at another revision by now.
   */
  async setDerived(orderId: string, derived: DerivedOrderState, revision: number): Promise<boolean> {
    // Orders stored before revisions were counted have no field: they are at revision 0.
    const current = revision === 0 ? { $in: [0, null] } : revision;
    const result = await this.model.updateOne(
      { _id: orderId, revision: current },
      { $set: { ...derived, revision: revision + 1 } },
    );
    return result.matchedCount === 1;
  }

  /** The ids of the orders of any of these lower-cased emails. */
  async idsOfCustomers(emails: readonly string[]): Promise<string[]> {
    const docs = await this.model
      .find({ customerEmail: { $in: [...emails] } }, { _id: 1 })
      .lean<Array<Pick<OrderDoc, '_id'>>>();
    return docs.map((d) => d._id);
  }

  /**
   * The Stripe accounts (labels; the default one for orders without) in which these emails have
   * orders: where an erasure finds their customers.
   */
  async accountsOfCustomers(emails: readonly string[]): Promise<string[]> {
    const docs = await this.model
      .find({ customerEmail: { $in: [...emails] } }, { account: 1 })
      .lean<Array<Pick<OrderDoc, 'account'>>>();
    return [...new Set(docs.map((d) => d.account ?? DEFAULT_BILLING_ACCOUNT))];
  }

  /**
   * Erasure: the orders of `email` name the placeholder instead, without the customer's name and
   * the checkout's free-form metadata (which may hold personal data). Amounts, lines, ids, status
   * and revision stay, so the derived-state compare-and-set is not disturbed. Returns the orders changed.
   */
  async erase(email: string, placeholder: string): Promise<number> {
    const result = await this.model.updateMany(
      { customerEmail: email },
      { $set: { customerEmail: placeholder, customerName: null, metadata: {} } },
    );
    return result.modifiedCount;
  }

  /** Newest first; pass `after` (the last order of the previous page) to continue. */
  async list(filter: OrderListFilter): Promise<Order[]> {
    const query: QueryFilter<OrderDoc> = {};
    if (filter.email) query.customerEmail = filter.email;
    if (filter.status) query.status = filter.status;
    if (filter.after) {
      query.$or = [
        { createdAt: { $lt: filter.after.createdAt } },
        { createdAt: filter.after.createdAt, _id: { $lt: filter.after.orderId } },
      ];
    }
    const docs = await this.model
      .find(query)
      .sort({ createdAt: -1, _id: -1 })
      .limit(filter.limit)
      .lean<OrderDoc[]>();
    return docs.map(toOrder);
  }
}
