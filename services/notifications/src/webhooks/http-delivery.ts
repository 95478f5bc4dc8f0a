import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { bareHost, isNonPublicAddress } from './url-safety';

export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface DeliveryResult {
  /** A 2xx answer. */
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  /** The start of the response body (at most `SNIPPET_BYTES`). */
  responseSnippet: string | null;
  error: string | null;
}

export type Deliver = (request: DeliveryRequest) => Promise<DeliveryResult>;

/** Delivers webhooks; `close` drops the connections it keeps open between deliveries. */
export interface HttpDelivery {
  deliver: Deliver;
  close(): void;
}

/** Resolves a name to every address it has (dns.lookup semantics, i.e. /etc/hosts included). */
export type Resolve = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/** Bytes of a response we read at most; the rest is discarded unread. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** Bytes of a response kept on the attempt record. */
export const SNIPPET_BYTES = 1024;
const USER_AGENT = 'billing-notifications-webhooks/1';

const defaultResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * POSTs a webhook. The destination is checked after DNS resolution and a new connection goes to
 * the address that was checked (no second lookup, so DNS rebinding cannot swap in a private
 * address); connections are kept open between deliveries to the same host and port, as every
 * webhook sender does, so a busy endpoint costs one TCP (and TLS) handshake, not one per event.
 * Redirects are not followed; the whole attempt, body included, is bounded by `timeoutMs`.
 */
export function createHttpDelivery(options: { allowPrivate: boolean; resolve?: Resolve }): HttpDelivery {
  const resolve = options.resolve ?? defaultResolve;
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 16, maxFreeSockets: 4, timeout: 30_000 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 16, maxFreeSockets: 4, timeout: 30_000 }),
  };
  const deliver: Deliver = async (request) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const failure = (error: string, statusCode: number | null = null, snippet: string | null = null) => ({
      ok: false,
      statusCode,
      durationMs: elapsed(),
      responseSnippet: snippet,
      error,
    });

    const url = new URL(request.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return failure(`refused: ${url.protocol} URL`);
    const host = bareHost(url);
    // One deadline for the whole attempt, name resolution included.
    const signal = AbortSignal.timeout(request.timeoutMs);
    let target: { address: string; family: number };
    try {
      target = await pickAddress(host, resolve, options.allowPrivate, signal);
    } catch (err) {
      return failure(signal.aborted ? `timeout after ${request.timeoutMs} ms (dns)` : (err as Error).message);
    }

    try {
      const agent = url.protocol === 'https:' ? agents.https : agents.http;
      const { statusCode, snippet, location } = await post(url, target, request, signal, agent);
      if (statusCode >= 200 && statusCode < 300) {
        return { ok: true, statusCode, durationMs: elapsed(), responseSnippet: snippet, error: null };
      }
      const reason =
        statusCode >= 300 && statusCode < 400
          ? `redirect${location ? ` to ${location.slice(0, 200)}` : ''} not followed`
          : `HTTP ${statusCode}`;
      return failure(reason, statusCode, snippet);
    } catch (err) {
      if (signal.aborted) return failure(`timeout after ${request.timeoutMs} ms`);
      return failure(`network error: ${(err as Error).message}`);
    }
  };
  return {
    deliver,
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** Settles with `promise`, or rejects once `signal` aborts (the lookup itself cannot be cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function pickAddress(
  host: string,
  resolve: Resolve,
  allowPrivate: boolean,
  signal: AbortSignal,
): Promise<{ address: string; family: number }> {
  const literal = isIP(host);
  let addresses: Array<{ address: string; family: number }>;
  if (literal) {
    addresses = [{ address: host, family: literal }];
  } else {
    try {
      addresses = await untilAborted(resolve(host), signal);
    } catch (err) {
      if (signal.aborted) throw err;
      throw new Error(`dns: ${host} did not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (addresses.length === 0) throw new Error(`dns: ${host} has no address`);
  }
  if (!allowPrivate) {
    // Any private answer refuses the name: a name that mixes public and private answers is suspect.
    const blocked = addresses.find((a) => isNonPublicAddress(a.address));
    if (blocked) throw new Error(`refused: ${host} resolves to non-public address ${blocked.address}`);
  }
  return addresses[0]!;
}

function post(
  url: URL,
  target: { address: string; family: number },
  request: DeliveryRequest,
  signal: AbortSignal,
  agent: http.Agent,
): Promise<{ statusCode: number; snippet: string | null; location: string | undefined }> {
  // Hands the already-checked address to the socket instead of resolving the name again.
  const pinned = ((_hostname: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (opts?.all) callback(null, [target]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
  const body = Buffer.from(request.body, 'utf8');
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        lookup: pinned,
        signal,
        agent,
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': USER_AGENT,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          const text = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8');
          resolve({ statusCode: res.statusCode ?? 0, snippet: text || null, location: res.headers.location });
        };
        res.on('data', (chunk: Buffer) => {
          if (size >= MAX_RESPONSE_BYTES) return;
          chunks.push(chunk);
          size += chunk.length;
          if (size >= MAX_RESPONSE_BYTES) {
            // Enough read: stop downloading, keep what we have.
            res.destroy();
            finish();
          }
        });
        res.on('end', finish);
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
