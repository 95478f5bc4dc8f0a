import type { Connection } from 'mongoose';
import { deliveryAttemptModel } from './delivery-attempt.model';
import { emailClaimModel, emailSendModel } from './email-send.model';
import { orderSnapshotModel } from './order-snapshot.model';
import { webhookEndpointModel } from './webhook-endpoint.model';
import { webhookMessageModel } from './webhook-message.model';

/** Registers the service's models on its connection, so their indexes are created at start. */
export function registerModels(db: Connection): void {
  orderSnapshotModel(db);
  emailSendModel(db);
  emailClaimModel(db);
  webhookEndpointModel(db);
  webhookMessageModel(db);
  deliveryAttemptModel(db);
}
