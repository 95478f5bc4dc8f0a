import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  event: string;
  data: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  /** Arrival time, epoch milliseconds with sub-millisecond precision (see {@link preciseNow}). */
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  /** Verified deliveries that were answered 2xx, in arrival order. */
  received: ReceivedWebhook[];
  /** Deliveries whose signature did not verify (should stay empty). */
  rejected: string[];
  /** Every request seen, including the ones answered with an error. */
  attempts: number;
  /** Answer the next `count` deliveries (of `event`, when given) with 500 before accepting. */
  failNext(count: number, event?: string): void;
  /** Every answer waits this long, as a receiver across the internet does (default 0). */
  setLatency(ms: number): void;
  /** The signing secret the endpoint was given when it was registered. */
  setSecret(secret: string): void;
  close(): Promise<void>;
}

/** Epoch milliseconds from the monotonic clock, so latencies measured in one process are exact. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** A downstream system: verifies each delivery with the `standardwebhooks` package. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let verifier: Webhook | undefined;
  let failures = 0;
  let failEvent: string | undefined;
  let latencyMs = 0;
  const receiver: Omit<WebhookReceiver, 'url' | 'close' | 'failNext' | 'setSecret' | 'setLatency'> = {
    received: [],
    rejected: [],
    attempts: 0,
  };
  const server = http.createServer((req, raw) => {
    // Answers go out after the configured latency; what arrived is recorded at once.
    const res = {
      writeHead: (status: number) => ({
        end: (body?: string) => {
          const answer = () => raw.writeHead(status).end(body);
          if (latencyMs > 0) setTimeout(answer, latencyMs);
          else answer();
        },
      }),
    };
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const receivedAt = preciseNow();
      receiver.attempts += 1;
      const body = Buffer.concat(chunks).toString('utf8');
      let event: string | undefined;
      try {
        event = (JSON.parse(body) as { event?: string }).event;
      } catch {
        // Not JSON: verification below rejects it.
      }
      if (failures > 0 && (failEvent === undefined || failEvent === event)) {
        failures -= 1;
        res.writeHead(500).end('not now');
        return;
      }
      try {
        if (!verifier) throw new Error('no secret set');
        const payload = verifier.verify(body, req.headers as Record<string, string>) as ReceivedWebhook;
        receiver.received.push({
          id: payload.id,
          event: payload.event,
          data: payload.data,
          headers: req.headers,
          receivedAt,
        });
        res.writeHead(204).end();
      } catch (err) {
        receiver.rejected.push((err as Error).message);
        res.writeHead(400).end('bad signature');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hooks`,
    failNext: (count: number, event?: string) => {
      failures = count;
      failEvent = event;
    },
    setSecret: (secret: string) => {
      verifier = new Webhook(secret);
    },
    setLatency: (ms: number) => {
      latencyMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as WebhookReceiver;
}
