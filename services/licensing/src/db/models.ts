import type { Connection } from 'mongoose';
import { customerModel, customerTierModel } from './customer.model';
import { licenseModel } from './license.model';
import { machineModel } from './machine.model';
import { refundModel, renewalModel } from './order-facts.model';
import { subscriptionFactModel } from './subscription-fact.model';

/** Registers the service's models on its connection, so their indexes are created at start. */
export function registerModels(db: Connection): void {
  licenseModel(db);
  subscriptionFactModel(db);
  customerModel(db);
  customerTierModel(db);
  renewalModel(db);
  refundModel(db);
  machineModel(db);
}
