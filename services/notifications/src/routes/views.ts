import type { DeliveryAttemptDoc } from '../db/delivery-attempt.model';
import type { WebhookEndpoint } from '../db/webhook-endpoint.model';
import type { WebhookMessageDoc } from '../db/webhook-message.model';

/** An endpoint as the API shows it: never its secrets, only when they were made and expire. */
export function endpointView(doc: WebhookEndpoint) {
  return {
    id: doc._id,
    url: doc.url,
    events: doc.events,
    description: doc.description,
    status: doc.status,
    disabledReason: doc.disabledReason,
    disabledAt: doc.disabledAt,
    failingSince: doc.failingSince,
    lastError: doc.lastError,
    secrets: doc.secrets.map((s) => ({ createdAt: s.createdAt, expiresAt: s.expiresAt })),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function messageView(doc: WebhookMessageDoc) {
  return {
    id: doc._id,
    eventId: doc.eventId,
    event: doc.event,
    endpointId: doc.endpointId,
    status: doc.status,
    attempts: doc.attemptCount,
    nextAttemptAt: doc.nextAttemptAt,
    lastAttemptAt: doc.lastAttemptAt,
    lastStatusCode: doc.lastStatusCode,
    lastError: doc.lastError,
    deliveredAt: doc.deliveredAt,
    createdAt: doc.createdAt,
    payload: JSON.parse(doc.body) as unknown,
  };
}

export function attemptView(doc: DeliveryAttemptDoc) {
  return {
    attempt: doc.attemptNumber,
    status: doc.status,
    url: doc.url,
    statusCode: doc.statusCode,
    durationMs: doc.durationMs,
    responseSnippet: doc.responseSnippet,
    error: doc.error,
    startedAt: doc.startedAt,
    finishedAt: doc.finishedAt,
  };
}
