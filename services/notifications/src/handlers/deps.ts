import { done, retry, type Logger, type Outcome } from '@billing/runtime';
import type { CustomerErasing } from '../db/customer-erasure.repository';
import type { OrderSnapshots } from '../db/order-snapshot.repository';
import type { EmailSending, SendResult } from '../email/email-sender';
import type { WebhookPublisher } from '../webhooks/dispatcher';

/** What every handler gets; interfaces, so a unit test can pass fakes. */
export interface HandlerDeps {
  emails: EmailSending;
  webhooks: WebhookPublisher;
  orders: OrderSnapshots;
  erasure: CustomerErasing;
  logger: Logger;
}

/** Sent (now or before) is done; an SMTP failure or a concurrent sender is retried with backoff. */
export function emailOutcome(result: SendResult): Outcome {
  switch (result.status) {
    case 'sent':
    case 'already_sent':
    case 'suppressed':
      return done();
    case 'busy':
      return retry('the same email is being sent by another delivery');
    case 'failed':
      return retry(`smtp: ${result.error}`);
    default: {
      const exhaustive: never = result;
      throw new Error(`unknown send result ${JSON.stringify(exhaustive)}`);
    }
  }
}
