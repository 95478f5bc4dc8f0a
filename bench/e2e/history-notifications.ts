/**
 * The notifications database after K past checkouts, as services/notifications writes it
 * (handlers order-confirmed, order-licensed, payment-recorded, tier-changed; the delivery worker):
 *
 * - `webhook_endpoints` and `webhook_endpoint_secrets`: the run's endpoint, registered before the
 *   history began, through the service's repository (no `webhook_endpoint_health`: it never failed).
 * - `order_snapshots`: `_id` (order id), `order` (the orders.order.confirmed snapshot),
 *   `sourceEventId`, `storedAt`.
 * - `email_sends` (sent): `purchase-confirmation` per order and `subscription-confirmed` for each
 *   email's first purchase: `eventId`, `template`, `to`, `status`, `messageId` (stableMessageId),
 *   `subject`, `claimedAt`, `attempts`, `lastError`, `createdAt`, `sentAt`.
 * - `webhook_messages` (delivered): `checkout.completed`, `license.issued`, `payment.succeeded`,
 *   and `tier.changed` for first purchases: `_id` (outboundMessageId), `eventId`
 *   (outboundEventId), `event`, `endpointId`, `body`, `createdAt`, `status`, `attemptCount`,
 *   `scheduleStart`, `nextAttemptAt`, `lastAttemptAt`, `lastStatusCode`, `lastError`, `deliveredAt`.
 * - `delivery_attempts`: one successful attempt per message: `messageId`, `endpointId`,
 *   `attemptNumber`, `worker`, `status`, `url`, `statusCode`, `durationMs`, `responseSnippet`,
 *   `error`, `startedAt`, `finishedAt`.
 *
 * Not written: `email_claims` (only retries take over a send), `outbox` (notifications publishes
 * only endpoint.disabled), `parked_messages`.
 */
import { outboundDataValidators, type OutboundEventType } from '@billing/contracts';
import { emailKeyOf } from '@billing/licensing/dist/db/license.model';
import { createLicenseSigner } from '@billing/licensing/dist/domain/license-key';
import { NO_FACTS, toSummary, viewOf } from '@billing/licensing/dist/domain/license-view';
import { featuresOf, parseTierCatalog } from '@billing/licensing/dist/domain/tiers';
import { deliveryAttemptModel } from '@billing/notifications/dist/db/delivery-attempt.model';
import { emailSendModel } from '@billing/notifications/dist/db/email-send.model';
import { registerModels } from '@billing/notifications/dist/db/models';
import { orderSnapshotModel } from '@billing/notifications/dist/db/order-snapshot.model';
import { SecretBox } from '@billing/notifications/dist/db/secret-box';
import { WebhookEndpointRepository } from '@billing/notifications/dist/db/webhook-endpoint.repository';
import { webhookMessageModel } from '@billing/notifications/dist/db/webhook-message.model';
import { stableMessageId } from '@billing/notifications/dist/email/email-sender';
import { toOutboundLicense } from '@billing/notifications/dist/handlers/order-licensed.handler';
import { outboundEvent, outboundMessageId } from '@billing/notifications/dist/webhooks/dispatcher';
import { OrderEvents, orderSnapshot } from '@billing/orders/dist/domain/order-events';
import { chunks, insertBatches, openServiceDb, type HistoryTarget, type PastCheckout } from './history';
import { pastLicenses } from './history-licensing';
import { benchLine, pastOrder, pastPayment } from './history-orders';

/** The services' defaults for EMAIL_FROM and BRAND_NAME, which the run keeps. */
const FROM_ADDRESS = 'billing@example.com';
const BRAND = 'Billing';
const TIERS = parseTierCatalog(undefined, 'LICENSING_TIERS');

export async function loadNotificationsHistory(
  checkouts: readonly PastCheckout[],
  target: HistoryTarget,
): Promise<Record<string, number>> {
  const db = await openServiceDb(target.mongoUrl, target.databases.notifications, registerModels);
  const signer = createLicenseSigner(target.signingKey);
  const orderEvents = new OrderEvents({ emit: async () => undefined });
  const line = benchLine();
  const { endpoint } = target;
  const written: Record<string, number> = {};
  const count = (name: string, n: number) =>
    (written[`notifications.${name}`] = (written[`notifications.${name}`] ?? 0) + n);
  try {
    const since = checkouts[0]?.sessionCreated ?? new Date();
    // The system under test runs without SECRETS_ENCRYPTION_KEYS: secrets are stored as given.
    await new WebhookEndpointRepository(db, new SecretBox([])).create({
      id: endpoint.id,
      url: endpoint.url,
      events: ['*'],
      description: 'benchmark receiver',
      secret: endpoint.secret,
      now: since,
    });
    count('webhook_endpoints', 1);
    for (const chunk of chunks(checkouts, 1000)) {
      const snapshots: object[] = [];
      const emails: object[] = [];
      const messages: object[] = [];
      const attempts: object[] = [];
      for (const c of chunk) {
        const at = c.handledAt;
        const order = pastOrder(c, line);
        const snapshot = orderSnapshot(order);
        snapshots.push({
          _id: order.orderId,
          order: snapshot,
          sourceEventId: `orders.order.confirmed:${order.orderId}`,
          storedAt: at,
        });
        const sent = (eventId: string, template: string, subject: string) => ({
          eventId,
          template,
          to: c.email,
          status: 'sent',
          messageId: stableMessageId(eventId, template, FROM_ADDRESS),
          subject,
          claimedAt: at,
          attempts: 1,
          lastError: null,
          createdAt: at,
          sentAt: at,
        });
        const delivered = <T extends OutboundEventType>(
          domainEventId: string,
          type: T,
          createdAt: string,
          data: Parameters<typeof outboundEvent<T>>[3],
          part = '',
        ) => {
          const event = outboundEvent(domainEventId, type, createdAt, data, part);
          if (!outboundDataValidators[type].check(data)) throw new Error(`history ${type}: invalid data`);
          const id = outboundMessageId(event.id, endpoint.id);
          const body = JSON.stringify({ id: event.id, event: type, createdAt, data });
          messages.push({
            _id: id,
            eventId: event.id,
            event: type,
            endpointId: endpoint.id,
            body,
            createdAt: at,
            status: 'delivered',
            attemptCount: 1,
            scheduleStart: 0,
            nextAttemptAt: null,
            lastAttemptAt: at,
            lastStatusCode: 204,
            lastError: null,
            deliveredAt: at,
          });
          attempts.push({
            messageId: id,
            endpointId: endpoint.id,
            attemptNumber: 1,
            worker: 'history:0:000000',
            status: 'succeeded',
            url: endpoint.url,
            statusCode: 204,
            durationMs: 3,
            responseSnippet: null,
            error: null,
            startedAt: at,
            finishedAt: at,
          });
        };

        const licensedId = `licensing.order.licensed:${order.orderId}`;
        const licenses = pastLicenses(c, line, signer).map((r) =>
          toOutboundLicense(toSummary(viewOf(r, NO_FACTS))),
        );
        delivered(licensedId, 'checkout.completed', at.toISOString(), {
          orderId: order.orderId,
          customerEmail: c.email,
          customerName: order.customerName,
          subscriptionId: null,
          amountTotal: order.amountTotal,
          currency: order.currency,
          licenses,
        });
        for (const license of licenses) {
          const data = { customerEmail: c.email, license };
          delivered(licensedId, 'license.issued', at.toISOString(), data, license.licenseId);
        }
        emails.push(
          sent(licensedId, 'purchase-confirmation', `Your ${BRAND} order ${order.orderId} is confirmed`),
        );

        const cause = { correlationId: c.paymentIntentEventId, causationId: c.paymentIntentEventId };
        const recorded = orderEvents.paymentRecorded(pastPayment(c, order), order, cause).input;
        const payment = recorded.payload as Parameters<typeof outboundEvent<'payment.succeeded'>>[3];
        delivered(recorded.id, 'payment.succeeded', c.paidAt.toISOString(), {
          paymentId: payment.paymentId,
          orderId: payment.orderId,
          customerEmail: payment.customerEmail,
          subscriptionId: payment.subscriptionId,
          invoiceId: payment.invoiceId,
          paymentIntentId: payment.paymentIntentId,
          billingReason: payment.billingReason,
          amount: payment.amount,
          currency: payment.currency,
          periodEnd: payment.periodEnd,
          receiptUrl: payment.receiptUrl,
          paidAt: payment.paidAt,
        });

        if (!c.firstOfEmail) continue;
        const tierId = `licensing.tier.changed:${emailKeyOf(c.email)}:1`;
        delivered(tierId, 'tier.changed', at.toISOString(), {
          customerEmail: c.email,
          stripeCustomerId: c.stripeCustomerId,
          subscriptionId: null,
          previousTier: TIERS.defaultTier,
          tier: 'PRO',
          features: featuresOf(TIERS, 'PRO'),
        });
        emails.push(sent(tierId, 'subscription-confirmed', `Welcome to ${BRAND} PRO`));
      }
      count('order_snapshots', await insertBatches(orderSnapshotModel(db), snapshots));
      count('email_sends', await insertBatches(emailSendModel(db), emails));
      count('webhook_messages', await insertBatches(webhookMessageModel(db), messages));
      count('delivery_attempts', await insertBatches(deliveryAttemptModel(db), attempts));
    }
    return written;
  } finally {
    await db.close();
  }
}
