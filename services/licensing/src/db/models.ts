import type { Connection } from 'mongoose';
import { rateWindowModel } from '@billing/runtime';
import { customerModel, tierAnnouncementModel } from './customer.model';
import { licenseModel } from './license.model';
import { machineModel } from './machine.model';
import { revocationClaimModel } from './revocation-claim.model';
import { refundModel, renewalModel } from './order-facts.model';
import { subscriptionFactModel, subscriptionLinkModel } from './subscription-fact.model';

/** Registers the service's models on its connection, so their indexes are created at start. */
export function registerModels(db: Connection): void {
  licenseModel(db);
  subscriptionFactModel(db);
  subscriptionLinkModel(db);
  customerModel(db);
  tierAnnouncementModel(db);
  renewalModel(db);
  refundModel(db);
  machineModel(db);
  rateWindowModel(db);
  revocationClaimModel(db);
}
