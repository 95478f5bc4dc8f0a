import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from './envelope';

/**
 * Fired when the notifications service disables an outbound webhook endpoint because every
 * delivery to it failed for longer than the configured period. Its messages are kept; an operator
 * fixes the receiver, enables the endpoint and replays them.
 * Message id: `notifications.endpoint.disabled:<endpointId>:<failingSince epoch ms>`.
 */
export const EndpointDisabledV1 = Type.Object({
  endpointId: Type.String(),
  url: Type.String(),
  /** First failed attempt since the last success. */
  failingSince: Type.String({ format: 'date-time' }),
  disabledAt: Type.String({ format: 'date-time' }),
  /** What the last attempt got (status code or network error), capped. */
  lastError: Type.Union([Type.String(), Type.Null()]),
});
export type EndpointDisabledV1 = Static<typeof EndpointDisabledV1>;
export const ENDPOINT_DISABLED_V1 = defineEvent(
  'notifications',
  'notifications.endpoint.disabled',
  1,
  EndpointDisabledV1,
);

export const NOTIFICATIONS_EVENTS = [ENDPOINT_DISABLED_V1] as const;

/**
 * Core NATS (not stored in any stream): a replica of notifications that changed a webhook
 * endpoint (created, edited, enabled, disabled, rotated, deleted) tells the other replicas, which
 * re-read their in-memory endpoint list at once instead of at their next periodic refresh. The
 * payload is empty; a lost notice only delays the change until that refresh.
 * Do not rename without updating every replica at once.
 */
export const WEBHOOK_ENDPOINTS_CHANGED_SUBJECT = 'internal.notifications.endpoints.changed';
