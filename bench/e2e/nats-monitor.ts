export interface MessageCounts {
  /** Messages the clients sent to the server (publishes, acks, API requests). */
  in: number;
  /** Messages the server delivered to the clients. */
  out: number;
}

interface Connz {
  connections?: Array<{ name?: string; in_msgs: number; out_msgs: number }>;
}

/**
 * Message counts per connection name, summed over the connections of that name: every replica
 * of a service connects under the service's name (libs/runtime/src/nats.ts, services/gateway).
 */
export async function messageCountsByName(monitorUrl: string): Promise<Map<string, MessageCounts>> {
  const res = await fetch(`${monitorUrl}/connz?limit=10000`);
  if (!res.ok) throw new Error(`GET /connz answered ${res.status}`);
  const connz = (await res.json()) as Connz;
  const out = new Map<string, MessageCounts>();
  for (const conn of connz.connections ?? []) {
    const name = conn.name ?? '(unnamed)';
    const sum = out.get(name) ?? { in: 0, out: 0 };
    sum.in += conn.in_msgs;
    sum.out += conn.out_msgs;
    out.set(name, sum);
  }
  return out;
}

/** What happened between two readings, per connection name. */
export function countsBetween(
  before: Map<string, MessageCounts>,
  after: Map<string, MessageCounts>,
): Map<string, MessageCounts> {
  const out = new Map<string, MessageCounts>();
  for (const [name, end] of after) {
    const start = before.get(name) ?? { in: 0, out: 0 };
    out.set(name, { in: end.in - start.in, out: end.out - start.out });
  }
  return out;
}

interface Jsz {
  account_details?: Array<{
    stream_detail?: Array<{ consumer_detail?: Array<{ num_pending: number; num_ack_pending: number }> }>;
  }>;
}

/**
 * Messages the durable consumers still have to handle: not yet delivered, or delivered and not
 * acknowledged (a message nak'ed with a delay, waiting for its retry, counts here too). Zero means
 * every service is done with everything it was sent.
 */
export async function outstandingMessages(monitorUrl: string): Promise<number> {
  const res = await fetch(`${monitorUrl}/jsz?consumers=true`);
  if (!res.ok) throw new Error(`GET /jsz answered ${res.status}`);
  const jsz = (await res.json()) as Jsz;
  let outstanding = 0;
  for (const account of jsz.account_details ?? [])
    for (const stream of account.stream_detail ?? [])
      for (const consumer of stream.consumer_detail ?? [])
        outstanding += consumer.num_pending + consumer.num_ack_pending;
  return outstanding;
}
