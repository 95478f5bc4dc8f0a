import { randomBytes } from 'node:crypto';
import type http from 'node:http';

type StripeObject = { id: string; object: string } & Record<string, unknown>;

/** Where the fake keeps its webhook endpoints (the fake's object store, so `put` can change one). */
export interface WebhookEndpointStore {
  /** Stored endpoints, oldest first. */
  all(): StripeObject[];
  get(id: string): StripeObject | undefined;
  save(endpoint: StripeObject): void;
}

type Send = (status: number, body: unknown) => void;

const PATH = /^\/v1\/webhook_endpoints(?:\/([^/]+))?$/;

/**
 * Stripe's form encoding (`enabled_events[0]=a&metadata[key]=b`) back into values: `name[]` and
 * `name[0]` collect into arrays, `name[key]` into objects, an empty value unsets (as Stripe does).
 */
function decodeForm(body: string): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const nested = /^([^[]+)\[([^\]]*)\]$/.exec(name);
    if (!nested) {
      params[name] = value;
      continue;
    }
    const [, base = '', inner = ''] = nested;
    if (inner === '' || /^\d+$/.test(inner)) {
      params[base] = [...((params[base] as string[] | undefined) ?? []), value];
    } else {
      params[base] = { ...((params[base] as Record<string, string> | undefined) ?? {}), [inner]: value };
    }
  }
  return params;
}

function stripeError(send: Send, status: number, code: string, message: string, param?: string): void {
  send(status, { error: { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) } });
}

function mergeMetadata(current: unknown, update: unknown): Record<string, string> {
  if (update === '') return {};
  const merged = { ...((current as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries((update as Record<string, string> | undefined) ?? {})) {
    if (v === '') delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

/**
 * `GET|POST /v1/webhook_endpoints` and `GET|POST /v1/webhook_endpoints/:id` as Stripe answers them:
 * lists newest first, paginated by `limit`/`starting_after`; the `secret` is returned only by the
 * create call; `api_version` is set at creation only. Returns false for other paths.
 */
export function serveWebhookEndpoints(
  req: http.IncomingMessage,
  url: URL,
  store: WebhookEndpointStore,
  send: Send,
): boolean {
  const match = PATH.exec(url.pathname);
  if (!match) return false;
  const id = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const params = decodeForm(Buffer.concat(chunks).toString('utf8'));
    if (req.method === 'GET' && id === undefined) {
      const all = store.all().reverse();
      const limit = Number(url.searchParams.get('limit') ?? 10);
      const after = url.searchParams.get('starting_after');
      const start = after ? all.findIndex((e) => e.id === after) + 1 : 0;
      return send(200, {
        object: 'list',
        data: all.slice(start, start + limit),
        has_more: start + limit < all.length,
        url: url.pathname,
      });
    }
    if (req.method === 'POST' && id === undefined) {
      if (typeof params.url !== 'string') {
        return stripeError(send, 400, 'parameter_missing', 'Missing required param: url.', 'url');
      }
      if (!Array.isArray(params.enabled_events)) {
        return stripeError(
          send,
          400,
          'parameter_missing',
          'Missing required param: enabled_events.',
          'enabled_events',
        );
      }
      const endpoint: StripeObject = {
        id: `we_fake${randomBytes(8).toString('hex')}`,
        object: 'webhook_endpoint',
        api_version: typeof params.api_version === 'string' ? params.api_version : null,
        application: null,
        created: Math.floor(Date.now() / 1000),
        description: typeof params.description === 'string' && params.description ? params.description : null,
        enabled_events: params.enabled_events,
        livemode: false,
        metadata: mergeMetadata({}, params.metadata),
        status: 'enabled',
        url: params.url,
      };
      store.save(endpoint);
      return send(200, { ...endpoint, secret: `whsec_${randomBytes(24).toString('base64url')}` });
    }
    const endpoint = id === undefined ? undefined : store.get(id);
    if (!endpoint) {
      return stripeError(send, 404, 'resource_missing', `No such webhook endpoint: '${id}'`, 'id');
    }
    if (req.method === 'GET') return send(200, endpoint);
    if (req.method === 'POST') {
      if ('api_version' in params) {
        return stripeError(
          send,
          400,
          'parameter_unknown',
          'Received unknown parameter: api_version',
          'api_version',
        );
      }
      const updated: StripeObject = {
        ...endpoint,
        ...(Array.isArray(params.enabled_events) ? { enabled_events: params.enabled_events } : {}),
        ...(typeof params.url === 'string' ? { url: params.url } : {}),
        ...('description' in params ? { description: params.description || null } : {}),
        ...('disabled' in params ? { status: params.disabled === 'true' ? 'disabled' : 'enabled' } : {}),
        metadata: mergeMetadata(endpoint.metadata, params.metadata),
      };
      store.save(updated);
      return send(200, updated);
    }
    return stripeError(send, 405, 'method_not_allowed', `${req.method} not supported`);
  });
  return true;
}
