import type { ConsumerDefinition } from '@billing/contracts';
import type { ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';

/** JetStream's view of one durable consumer of the service. */
export interface ConsumerState {
  consumer: string;
  stream: string;
  /** Messages in the stream not delivered to it yet: its lag. */
  pending: number;
  /** Delivered and not acknowledged yet (in flight, or handed back for a retry). */
  ackPending: number;
  /** Delivered more than once and not acknowledged yet. */
  redelivered: number;
  /** Pull requests waiting for messages (replicas idle at the end of the stream). */
  waiting: number;
  /** The last message delivered: its stream sequence (0: none yet) and when. */
  lastDelivered: { streamSequence: number; at: Date | null };
}

/** One stream the service reads: its messages, counted by subject. */
export interface StreamSubjects {
  stream: string;
  messages: number;
  /** The oldest message kept (null when the stream is empty): how far back the counts go. */
  firstAt: Date | null;
  subjects: Array<{ subject: string; messages: number }>;
}

/** Each read at most once per `ms`; callers in between share it. A failure is not kept. */
export function cachedFor<T>(ms: number, read: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at >= ms) {
      const value = read();
      cached = { at: Date.now(), value };
      value.catch(() => (cached = undefined));
    }
    return cached.value;
  };
}

/** JetStream's consumer and stream info is read at most this often, however many callers ask. */
export const CONSUMER_INFO_CACHE_MS = 2000;

/** `delivered.last_active` arrives as an RFC 3339 time, though the client types it as a number. */
function lastActiveOf(info: ConsumerInfo): Date | null {
  const raw: unknown = info.delivered?.last_active;
  if (typeof raw !== 'string') return null;
  const at = new Date(raw);
  return Number.isNaN(at.getTime()) ? null : at;
}

/**
 * What JetStream says about a service's durable consumers and the streams they read, for the
 * metrics scraped and for `GET /admin/consumers`. Both share one read every CONSUMER_INFO_CACHE_MS
 * (the answer is the same for every replica), so neither scrapers nor operators load the server.
 * The service's NATS identity may ask this: INFO on its own consumers and on the streams they read
 * (see servicePermissions).
 */
export class JetStreamState {
  readonly consumers: readonly ConsumerDefinition[];
  private readonly infos: () => Promise<{ found: Array<{ def: ConsumerDefinition; info: ConsumerInfo }> }>;
  private readonly subjects: () => Promise<StreamSubjects[]>;

  constructor(
    jsm: JetStreamManager,
    consumers: readonly ConsumerDefinition[],
    cacheMs = CONSUMER_INFO_CACHE_MS,
  ) {
    this.consumers = consumers;
    this.infos = cachedFor(cacheMs, async () => {
      const settled = await Promise.allSettled(
        consumers.map((c) => jsm.consumers.info(c.stream.name, c.durable)),
      );
      // A consumer missing on the server (being declared again) is left out, the others reported.
      if (consumers.length > 0 && settled.every((s) => s.status === 'rejected')) throw settled[0]!.reason;
      return {
        found: settled.flatMap((s, i) =>
          s.status === 'fulfilled' ? [{ def: consumers[i]!, info: s.value }] : [],
        ),
      };
    });
    const streams = [...new Set(consumers.map((c) => c.stream.name))];
    this.subjects = cachedFor(cacheMs, () =>
      Promise.all(
        streams.map(async (stream) => {
          // `subjects_filter` makes the server count the messages of each subject (paged by the client).
          const info = await jsm.streams.info(stream, { subjects_filter: '>' });
          const counts = Object.entries(info.state.subjects ?? {}).map(([subject, messages]) => ({
            subject,
            messages,
          }));
          counts.sort((a, b) => b.messages - a.messages || a.subject.localeCompare(b.subject));
          return {
            stream,
            messages: info.state.messages,
            firstAt: info.state.messages > 0 ? new Date(info.state.first_ts) : null,
            subjects: counts,
          };
        }),
      ),
    );
  }

  /** Each durable consumer JetStream knows now; the ones it does not are in `missing`. */
  async consumerStates(): Promise<{ consumers: ConsumerState[]; missing: string[] }> {
    const { found } = await this.infos();
    const known = new Set(found.map((f) => f.def.durable));
    return {
      consumers: found.map(({ def, info }) => ({
        consumer: def.durable,
        stream: def.stream.name,
        pending: info.num_pending,
        ackPending: info.num_ack_pending,
        redelivered: info.num_redelivered,
        waiting: info.num_waiting,
        lastDelivered: { streamSequence: info.delivered?.stream_seq ?? 0, at: lastActiveOf(info) },
      })),
      missing: this.consumers.map((c) => c.durable).filter((d) => !known.has(d)),
    };
  }

  /** Each stream the consumers read, with its message count per subject, most first. */
  streamSubjects(): Promise<StreamSubjects[]> {
    return this.subjects();
  }
}
