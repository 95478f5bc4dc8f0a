import type { Connection, Model } from 'mongoose';
import { emailSendModel, type EmailSendDoc } from './email-send.model';
import { webhookMessageModel, type WebhookMessageDoc } from './webhook-message.model';

/**
 * What notifications told or sent about one customer, for operators (the dashboard's customer and
 * order pages). Reads only; each query is served by an index of the collection's model.
 */
export class CustomerActivityRepository {
  private readonly emails: Model<EmailSendDoc>;
  private readonly messages: Model<WebhookMessageDoc>;

  constructor(conn: Connection) {
    this.emails = emailSendModel(conn);
    this.messages = webhookMessageModel(conn);
  }

  /** Newest first; served by `{ to: 1, createdAt: -1 }`. `email` is lower-cased, as events carry it. */
  emailsTo(email: string, limit: number): Promise<EmailSendDoc[]> {
    return this.emails.find({ to: email }).sort({ createdAt: -1 }).limit(limit).lean<EmailSendDoc[]>();
  }

  /**
   * Served by `{ customerEmail: 1 }`, which has no time in it: up to `limit` of them, sorted newest
   * first here (a customer has a few messages per order and endpoint, not thousands).
   */
  async messagesNaming(email: string, limit: number): Promise<WebhookMessageDoc[]> {
    const docs = await this.messages.find({ customerEmail: email }).limit(limit).lean<WebhookMessageDoc[]>();
    return docs.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }
}
