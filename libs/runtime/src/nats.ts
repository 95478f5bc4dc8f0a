import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { natsIdentityOptions } from '@billing/contracts';
import type { Logger } from './logger';
import { traceHeaders } from './tracing';

export interface NatsHandle {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** False while the client is between a disconnect and a reconnect. */
  isConnected(): boolean;
  /** Drains subscriptions and pending publishes, then closes. */
  close(): Promise<void>;
}

/** TLS to NATS: files of the CA that signed the server's certificate, and of a client certificate. */
export interface NatsTls {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/**
 * Connects and keeps reconnecting forever: a service outlives a NATS restart.
 * `url` may carry the identity (`nats://user:password@host:4222`); replies reach the client only
 * under its own inbox prefix (`_INBOX_<user>`), which is all its identity may subscribe to.
 * `timeoutMs` bounds every JetStream API call and publish.
 */
export async function connectNats(
  url: string,
  name: string,
  logger: Logger,
  timeoutMs = 5000,
  tls?: NatsTls,
): Promise<NatsHandle> {
  const nc = await connect({
    ...natsIdentityOptions(url, name),
    name,
    ...(tls || url.startsWith('tls:') ? { tls: { ...tls } } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    timeout: timeoutMs,
  });
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') connected = false;
      if (status.type === 'reconnect') connected = true;
      if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
        logger.warn(
          { natsStatus: status.type, server: 'server' in status ? status.server : undefined },
          'nats status',
        );
      }
    }
  })();
  const js = jetstream(nc, { timeout: timeoutMs });
  const jsm = await jetstreamManager(nc, { timeout: timeoutMs }).catch(async (err: unknown) => {
    await nc.close(); // JetStream not enabled (yet): the caller may try again with a new connection
    throw err;
  });
  return {
    nc,
    js,
    jsm,
    isConnected: () => connected && !nc.isClosed(),
    close: async () => {
      if (!nc.isClosed()) await nc.drain();
    },
  };
}

export interface PublishResult {
  seq: number;
  /** True when JetStream already had a message with this id inside the duplicate window. */
  duplicate: boolean;
}

/** Publishes with a de-duplication id and waits for the PubAck (the message is stored). */
export async function publishWithId(
  js: JetStreamClient,
  subject: string,
  data: Uint8Array | string,
  msgId: string,
  extraHeaders: Record<string, string> = {},
): Promise<PublishResult> {
  const h = natsHeaders();
  // The active span's context (the gateway's request, the handler that emits) travels along.
  for (const [k, v] of Object.entries({ ...traceHeaders(), ...extraHeaders })) h.set(k, v);
  const ack = await js.publish(subject, data, { msgID: msgId, headers: h });
  return { seq: ack.seq, duplicate: ack.duplicate };
}
