import type { CustomerErasing } from '../db/customer-erasure.repository';
import type { OrderSnapshots } from '../db/order-snapshot.repository';
import type { EmailSending } from '../email/email-sender';
import type { WebhookPublisher } from '../webhooks/dispatcher';

/** What every handler gets; interfaces, so a unit test can pass fakes. Its logger is `ctx.logger`. */
export interface HandlerDeps {
  emails: EmailSending;
  webhooks: WebhookPublisher;
  orders: OrderSnapshots;
  erasure: CustomerErasing;
}
