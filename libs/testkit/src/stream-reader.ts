import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import type { EventEnvelopeV1 } from '@billing/contracts';
import { subjectMatches } from './jetstream';
import { waitFor } from './wait';

/**
 * Reads one stream as it grows through a test file: each call fetches only the messages stored
 * since the last one (one get per sequence, so the read-only `ops` identity can use it too).
 */
export class StreamReader {
  private readonly seen: StoredMsg[] = [];
  private nextSeq = 1;
  // Calls are chained so concurrent ones do not fetch the same messages twice.
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly jsm: JetStreamManager,
    readonly stream: string,
  ) {}

  /** Every message stored so far whose subject matches the filter (NATS wildcards). */
  async messages(filter?: string): Promise<StoredMsg[]> {
    this.reading = this.reading.then(() => this.fetchNew());
    await this.reading;
    return filter ? this.seen.filter((m) => subjectMatches(filter, m.subject)) : [...this.seen];
  }

  /** The envelopes stored so far, optionally of one subject. */
  async envelopes(filter?: string): Promise<EventEnvelopeV1[]> {
    return (await this.messages(filter)).map(
      (m) => JSON.parse(Buffer.from(m.data).toString('utf8')) as EventEnvelopeV1,
    );
  }

  /** Waits until the stream holds the envelope with this id, and returns it. */
  waitFor(id: string, timeoutMs = 15_000): Promise<EventEnvelopeV1> {
    return waitFor(async () => (await this.envelopes()).find((e) => e.id === id), {
      timeoutMs,
      what: `event ${id} on ${this.stream}`,
    });
  }

  private async fetchNew(): Promise<void> {
    const info = await this.jsm.streams.info(this.stream);
    for (let seq = Math.max(this.nextSeq, info.state.first_seq); seq <= info.state.last_seq; seq++) {
      const msg = await this.jsm.streams.getMessage(this.stream, { seq }).catch(() => null); // deleted
      if (msg) this.seen.push(msg);
      this.nextSeq = seq + 1;
    }
  }
}
