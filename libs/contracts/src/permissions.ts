import {
  LICENSING_ORDERS_CONSUMER,
  LICENSING_STRIPE_CONSUMER,
  NOTIFICATIONS_LICENSING_CONSUMER,
  NOTIFICATIONS_ORDERS_CONSUMER,
  ORDERS_STRIPE_CONSUMER,
  type ConsumerDefinition,
} from './consumers';
import { WEBHOOK_ENDPOINTS_CHANGED_SUBJECT } from './notifications.events';
import {
  STREAM_OWNED_BY,
  STRIPE_RECONCILER_BUCKET,
  type KeyValueBucketDefinition,
  type StreamDefinition,
} from './streams';

/**
 * Who may do what on the bus, derived from the streams and consumers above: each service may
 * publish only to its own stream, work only its own durable consumers and receive only on its
 * own inbox prefix. nats-server enforces these (see `natsAuthorizationConfig`); a client without
 * an identity is refused.
 */
export const SERVICE_IDENTITIES = ['gateway', 'orders', 'licensing', 'notifications'] as const;
export type ServiceIdentity = (typeof SERVICE_IDENTITIES)[number];

/** The identity operators' tools (and the tests' checks) use: reads every stream, changes nothing. */
export const OPS_IDENTITY = 'ops';

/** The durable consumers each service works. */
export const CONSUMERS_OF: Readonly<Record<ServiceIdentity, readonly ConsumerDefinition[]>> = Object.freeze({
  gateway: [],
  orders: [ORDERS_STRIPE_CONSUMER],
  licensing: [LICENSING_STRIPE_CONSUMER, LICENSING_ORDERS_CONSUMER],
  notifications: [NOTIFICATIONS_ORDERS_CONSUMER, NOTIFICATIONS_LICENSING_CONSUMER],
});

/** Replies (PubAcks, pulled messages, API answers) reach a service only under its own prefix. */
export function inboxPrefixOf(identity: string): string {
  return `_INBOX_${identity}`;
}

/**
 * Connection options for a URL that may carry an identity (`nats://user:password@host:4222`):
 * the credentials go to the client options, not into logs, and replies come under the identity's
 * own inbox prefix, the only one its permissions let it subscribe to.
 */
export function natsIdentityOptions(
  url: string,
  name: string,
): { servers: string; user?: string; pass?: string; inboxPrefix: string } {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username) || undefined;
  const pass = decodeURIComponent(parsed.password) || undefined;
  return {
    servers: `${parsed.protocol}//${parsed.host}`,
    ...(user && { user }),
    ...(pass && { pass }),
    inboxPrefix: inboxPrefixOf(user ?? name),
  };
}

export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
}

const api = '$JS.API';

function streamAdmin(stream: StreamDefinition, owned: boolean): string[] {
  // A consumer may create a stream it reads when it is missing (with the contract's settings),
  // never change one: only its owner updates it.
  return [
    `${api}.STREAM.INFO.${stream.name}`,
    `${api}.STREAM.CREATE.${stream.name}`,
    ...(owned ? [`${api}.STREAM.UPDATE.${stream.name}`] : []),
    // A stream it reads: one stored message by sequence, to replay it (README, "Replay").
    ...(owned ? [] : [`${api}.STREAM.MSG.GET.${stream.name}`]),
  ];
}

function consumerWork(def: ConsumerDefinition): string[] {
  const at = `${def.stream.name}.${def.durable}`;
  return [
    `${api}.CONSUMER.INFO.${at}`,
    `${api}.CONSUMER.CREATE.${at}`,
    `${api}.CONSUMER.CREATE.${at}.>`,
    `${api}.CONSUMER.DURABLE.CREATE.${at}`,
    `${api}.CONSUMER.MSG.NEXT.${at}`,
    // ack, nak, working, term
    `$JS.ACK.${at}.>`,
  ];
}

/** Read and write one key-value bucket (its stream `KV_<name>`, its `$KV.<name>.>` subjects). */
function keyValueWork(bucket: KeyValueBucketDefinition): string[] {
  const stream = `KV_${bucket.name}`;
  return [
    `${api}.STREAM.INFO.${stream}`,
    `${api}.STREAM.CREATE.${stream}`,
    `${api}.STREAM.UPDATE.${stream}`,
    `${api}.DIRECT.GET.${stream}`,
    `${api}.DIRECT.GET.${stream}.>`,
    `${api}.STREAM.MSG.GET.${stream}`,
    `$KV.${bucket.name}.>`,
  ];
}

/** What one service may publish and receive. */
export function servicePermissions(service: ServiceIdentity): NatsPermissions {
  const own = STREAM_OWNED_BY[service]!;
  const consumers = CONSUMERS_OF[service];
  const read = [...new Map(consumers.map((c) => [c.stream.name, c.stream])).values()].filter(
    (s) => s.name !== own.name,
  );
  const publish = [
    ...own.subjects,
    `${api}.INFO`,
    ...streamAdmin(own, true),
    ...read.flatMap((s) => streamAdmin(s, false)),
    ...consumers.flatMap(consumerWork),
  ];
  const subscribe = [`${inboxPrefixOf(service)}.>`];
  // The reconciler's cursor and lease (README, "Backfill and reconciliation").
  if (service === 'gateway') publish.push(...keyValueWork(STRIPE_RECONCILER_BUCKET));
  if (service === 'notifications') {
    // Replicas tell each other that the webhook endpoints changed (core NATS, not stored).
    publish.push(WEBHOOK_ENDPOINTS_CHANGED_SUBJECT);
    subscribe.push(WEBHOOK_ENDPOINTS_CHANGED_SUBJECT);
  }
  return { publish, subscribe };
}

/** Read-only: stream and consumer information and stored messages of every stream. */
export const OPS_PERMISSIONS: NatsPermissions = Object.freeze({
  publish: [
    `${api}.INFO`,
    `${api}.STREAM.NAMES`,
    `${api}.STREAM.LIST`,
    `${api}.STREAM.INFO.*`,
    `${api}.STREAM.MSG.GET.*`,
    `${api}.DIRECT.GET.*`,
    `${api}.DIRECT.GET.*.>`,
    `${api}.CONSUMER.NAMES.*`,
    `${api}.CONSUMER.LIST.*`,
    `${api}.CONSUMER.INFO.*.*`,
  ],
  subscribe: [`${inboxPrefixOf(OPS_IDENTITY)}.>`],
}) as NatsPermissions;

const quoted = (subjects: readonly string[]) => subjects.map((s) => JSON.stringify(s)).join(', ');

/** One user of a nats-server `authorization` block. */
export function natsUser(user: string, password: string, permissions: NatsPermissions | 'all'): string {
  const rules =
    permissions === 'all'
      ? ''
      : `, permissions: { publish: { allow: [${quoted(permissions.publish)}] }, ` +
        `subscribe: { allow: [${quoted(permissions.subscribe)}] } }`;
  return `    { user: ${JSON.stringify(user)}, password: ${JSON.stringify(password)}${rules} }`;
}

/**
 * The nats-server `authorization` block for the services and the ops identity, with their
 * passwords; `extraUsers` are added as given (the tests add an unrestricted one of their own).
 * No user for anonymous clients: a connection without credentials is refused.
 */
export function natsAuthorizationConfig(
  passwords: Readonly<Record<ServiceIdentity | typeof OPS_IDENTITY, string>>,
  extraUsers: readonly string[] = [],
): string {
  const users = [
    ...SERVICE_IDENTITIES.map((s) => natsUser(s, passwords[s], servicePermissions(s))),
    natsUser(OPS_IDENTITY, passwords[OPS_IDENTITY], OPS_PERMISSIONS),
    ...extraUsers,
  ];
  return `authorization {\n  users = [\n${users.join('\n')}\n  ]\n}\n`;
}
