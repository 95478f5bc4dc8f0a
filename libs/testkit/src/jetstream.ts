import { jetstreamManager, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { natsIdentityOptions } from '@billing/contracts';

export interface TestNats {
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** Every message stored on the stream whose subject matches the filter. */
  messages(stream: string, filter?: string): Promise<StoredMsg[]>;
  close(): Promise<void>;
}

/** A test's own connection: its set-up (the unrestricted test identity) or checks (`ops`). */
export async function connectTestNats(url: string): Promise<TestNats> {
  const nc = await connect({ ...natsIdentityOptions(url, 'test'), name: 'test' });
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    jsm,
    async messages(stream, filter) {
      const info = await jsm.streams.info(stream);
      if (info.state.messages === 0) return [];
      const get = (seq: number) => jsm.streams.getMessage(stream, { seq }).catch(() => null); // deleted
      const out: StoredMsg[] = [];
      // Read-only (the ops identity may not create consumers): one get per sequence, 100 at a time.
      for (let first = info.state.first_seq; first <= info.state.last_seq; first += 100) {
        const last = Math.min(first + 99, info.state.last_seq);
        const batch = await Promise.all(Array.from({ length: last - first + 1 }, (_, i) => get(first + i)));
        for (const msg of batch) if (msg && (!filter || subjectMatches(filter, msg.subject))) out.push(msg);
      }
      return out;
    },
    close: () => nc.close(),
  };
}

/** Whether a subject matches a NATS filter (`*` one token, `>` the rest). */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}
