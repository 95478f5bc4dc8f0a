import { jetstreamManager, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { ALL_STREAMS } from '@billing/contracts';

export interface TestNats {
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** Every message stored on the stream whose subject matches the filter. */
  messages(stream: string, filter?: string): Promise<StoredMsg[]>;
  close(): Promise<void>;
}

export async function connectTestNats(url: string): Promise<TestNats> {
  const nc = await connect({ servers: url, name: 'test' });
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    jsm,
    async messages(stream, filter) {
      const info = await jsm.streams.info(stream);
      const out: StoredMsg[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        try {
          const msg = await jsm.streams.getMessage(stream, { seq });
          if (msg && (!filter || subjectMatches(filter, msg.subject))) out.push(msg);
        } catch {
          // deleted sequence
        }
      }
      return out;
    },
    close: () => nc.close(),
  };
}

/** Deletes our streams (and so their consumers) so a test file starts from nothing. */
export async function resetStreams(jsm: JetStreamManager): Promise<void> {
  for (const def of ALL_STREAMS) {
    await jsm.streams.delete(def.name).catch(() => undefined);
  }
}

function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}
