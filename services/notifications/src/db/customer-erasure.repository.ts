import type { Connection, Model } from 'mongoose';
import { deliveryAttemptModel, type DeliveryAttemptDoc } from './delivery-attempt.model';
import { emailSendModel, type EmailSendDoc } from './email-send.model';
import { orderSnapshotModel, type OrderSnapshotDoc } from './order-snapshot.model';
import { webhookMessageModel, type WebhookMessageDoc } from './webhook-message.model';

/** Documents changed per collection by one erasure (all 0 when applied again). */
export interface NotificationsErasedCounts {
  emailSends: number;
  orderSnapshots: number;
  webhookMessages: number;
  deliveryAttempts: number;
}

export interface CustomerErasing {
  erase(email: string, placeholder: string): Promise<NotificationsErasedCounts>;
}

/** The fields of an outbound body's `data` that hold personal data, and what replaces them. */
function redactBody(body: string, placeholder: string): string {
  const parsed = JSON.parse(body) as { data?: Record<string, unknown> };
  const data = parsed.data;
  if (data) {
    if ('customerEmail' in data) data.customerEmail = placeholder;
    if ('customerName' in data) data.customerName = null;
    // Stripe's hosted receipt shows the customer's email and billing details to whoever has it.
    if ('receiptUrl' in data) data.receiptUrl = null;
  }
  return JSON.stringify(parsed);
}

/**
 * Erases what notifications holds about a customer (`orders.customer.erased.v1`):
 * - the email ledger keeps its rows (their (event, template) key still stops a second send) but
 *   names the placeholder as recipient and forgets the rendered subject and the SMTP error;
 * - order snapshots name the placeholder, without the customer's name and the checkout metadata;
 * - stored webhook messages for the customer are redacted (email → placeholder, name and receipt
 *   URL → null; ids, amounts, license keys stay), so a replay sends the redacted body, and the
 *   response snippets of their delivery attempts are dropped (a receiver may echo the body).
 * Every write sets values computed from the document alone, so a redelivery changes nothing more.
 */
export class NotificationsErasure implements CustomerErasing {
  private readonly emailSends: Model<EmailSendDoc>;
  private readonly snapshots: Model<OrderSnapshotDoc>;
  private readonly messages: Model<WebhookMessageDoc>;
  private readonly attempts: Model<DeliveryAttemptDoc>;

  constructor(conn: Connection) {
    this.emailSends = emailSendModel(conn);
    this.snapshots = orderSnapshotModel(conn);
    this.messages = webhookMessageModel(conn);
    this.attempts = deliveryAttemptModel(conn);
  }

  async erase(email: string, placeholder: string): Promise<NotificationsErasedCounts> {
    const key = email.trim().toLowerCase();
    const emailSends = (
      await this.emailSends.updateMany(
        { to: key },
        { $set: { to: placeholder, subject: null, lastError: null } },
      )
    ).modifiedCount;
    const orderSnapshots = (
      await this.snapshots.updateMany(
        { 'order.customerEmail': key },
        {
          $set: { 'order.customerEmail': placeholder, 'order.customerName': null, 'order.metadata': {} },
        },
      )
    ).modifiedCount;

    const messages = await this.messages
      .find({ customerEmail: key }, { _id: 1, body: 1 })
      .lean<Array<Pick<WebhookMessageDoc, '_id' | 'body'>>>();
    let deliveryAttempts = 0;
    if (messages.length > 0) {
      // Attempts first: a redelivery after a crash finds them through their messages.
      deliveryAttempts = (
        await this.attempts.updateMany(
          { messageId: { $in: messages.map((m) => m._id) }, responseSnippet: { $ne: null } },
          { $set: { responseSnippet: null } },
        )
      ).modifiedCount;
    }
    for (const message of messages) {
      await this.messages.updateOne(
        { _id: message._id },
        { $set: { body: redactBody(message.body, placeholder), customerEmail: placeholder } },
      );
    }
    return { emailSends, orderSnapshots, webhookMessages: messages.length, deliveryAttempts };
  }
}
