import type { Connection } from 'mongoose';
import type { RetentionRule } from '@billing/runtime';
import { deliveryAttemptModel } from './delivery-attempt.model';
import { emailClaimModel, emailSendModel } from './email-send.model';
import { webhookMessageModel } from './webhook-message.model';

export interface RetentionConfig {
  /** Finished webhook messages (their bodies) and every delivery attempt. */
  webhooksMs: number;
  /** The email ledger: finished sends (recipient, subject) and the claims of their attempts. */
  emailsMs: number;
}

/**
 * What notifications deletes once it outlived its retention. Messages still being delivered and
 * sends still in progress are kept whatever their age. A ledger row is what makes an email or a
 * webhook happen once, so retentions are longer than the streams keep messages (see config).
 */
export function notificationRetentionRules(db: Connection, retention: RetentionConfig): RetentionRule[] {
  return [
    {
      name: 'webhook messages',
      model: webhookMessageModel(db),
      field: 'createdAt',
      filter: { status: { $in: ['delivered', 'failed'] } },
      keepMs: retention.webhooksMs,
    },
    {
      name: 'delivery attempts',
      model: deliveryAttemptModel(db),
      field: 'startedAt',
      keepMs: retention.webhooksMs,
    },
    {
      name: 'email sends',
      model: emailSendModel(db),
      field: 'createdAt',
      filter: { status: { $in: ['sent', 'failed'] } },
      keepMs: retention.emailsMs,
    },
    { name: 'email claims', model: emailClaimModel(db), field: 'claimedAt', keepMs: retention.emailsMs },
  ];
}
