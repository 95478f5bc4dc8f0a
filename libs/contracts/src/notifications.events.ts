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
