import type { Connection } from 'mongoose';
import { catalogModel } from './catalog.model';
import { customerErasureModel } from './customer-erasure.model';
import { customerModel } from './customer.model';
import { orderFactModel } from './order-fact.model';
import { orderLinkModel } from './order-link.model';
import { orderModel } from './order.model';
import { paymentModel } from './payment.model';
import { refundModel } from './refund.model';
import { stockMovementModel } from './stock-movement.model';

/** Registers the service's models on its connection, so their indexes are created at start. */
export function registerModels(db: Connection): void {
  orderModel(db);
  orderFactModel(db);
  orderLinkModel(db);
  paymentModel(db);
  refundModel(db);
  customerModel(db);
  customerErasureModel(db);
  catalogModel(db);
  stockMovementModel(db);
}
