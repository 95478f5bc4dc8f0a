import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveWebhookEndpoints } from './fake-stripe-webhook-endpoints';

export interface FakeStripeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

type StripeObject = { id: string; object: string } & Record<string, unknown>;

/** Retrievable object types: `object` value → path segment of `GET /v1/<segment>/:id`. */
const RETRIEVABLE: Record<string, string> = {
  subscription: 'subscriptions',
  invoice: 'invoices',
  payment_intent: 'payment_intents',
  charge: 'charges',
  product: 'products',
  price: 'prices',
  refund: 'refunds',
  invoice_payment: 'invoice_payments',
  event: 'events',
};

export interface FakeStripe {
  url: string;
  requests: FakeStripeRequest[];
  /**
   * Answers GET /v1/checkout/sessions/:id/line_items from these items, paginated by `limit`/`starting_after`;
   * with `expand[]=data.price.product`, a product stored with `put` replaces its id.
   */
  setLineItems(sessionId: string, items: Array<{ id: string } & Record<string, unknown>>): void;
  /**
   * Stores whole Stripe objects (by `object` and `id`) for `GET /v1/<type>/:id` (subscriptions,
   * invoices, payment_intents, charges, products, prices, events), `GET /v2/core/events/:id`
   * (objects `v2.core.event`), for the lists
   * `GET /v1/invoice_payments?invoice=|payment[payment_intent]=` (with `expand[]=data.invoice`) and
   * `GET /v1/refunds?charge=|payment_intent=`, and for line-item expansion. Storing an id again
   * replaces the object. Webhook endpoints (`object: 'webhook_endpoint'`) are stored here too.
   */
  put<T extends { id: string; object: string }>(...objects: T[]): void;
  /**
   * The webhook endpoints created through `POST /v1/webhook_endpoints` (or `put`), oldest first, as
   * `GET /v1/webhook_endpoints/:id` answers them (without the secret, which only creation returns).
   */
  webhookEndpoints(): StripeObject[];
  /**
   * The next `count` requests get a 500 (or the given status) with a Stripe-style error body; a
   * 429 says `Retry-After: <retryAfterSeconds>` when given.
   */
  failNext(count: number, status?: number, retryAfterSeconds?: number): void;
  /** Every answer waits this long, as Stripe's API across the internet does (default 0). */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

/**
 * A small HTTP server that speaks Stripe's API for the objects our tests need. The `stripe`
 * client is pointed at it through STRIPE_API_URL, like at stripe-mock or Stripe itself.
 */
export async function startFakeStripe(): Promise<FakeStripe> {
  const lineItems = new Map<string, Array<{ id: string } & Record<string, unknown>>>();
  const objects = new Map<string, StripeObject>();
  const key = (type: string, id: string) => `${type}:${id}`;
  const stored = (type: string, id: unknown) =>
    typeof id === 'string' ? objects.get(key(type, id)) : undefined;
  const ofType = (type: string) => [...objects.values()].filter((o) => o.object === type);
  const requests: FakeStripeRequest[] = [];
  let failures = 0;
  let failureStatus = 500;
  let failureRetryAfter: number | undefined;
  let latencyMs = 0;
  const webhookEndpoints = {
    all: () => ofType('webhook_endpoint'),
    get: (id: string) => stored('webhook_endpoint', id),
    save: (endpoint: StripeObject) => objects.set(key(endpoint.object, endpoint.id), endpoint),
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers = {}) => {
    const answer = () => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'request-id': `req_${Date.now()}`,
        ...headers,
      });
      res.end(JSON.stringify(body));
    };
    if (latencyMs > 0) setTimeout(answer, latencyMs);
    else answer();
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
    });
    req.resume();
    if (failures > 0) {
      failures -= 1;
      const retryAfter = failureRetryAfter === undefined ? {} : { 'retry-after': String(failureRetryAfter) };
      return send(res, failureStatus, { error: { type: 'api_error', message: 'fake outage' } }, retryAfter);
    }
    if (serveWebhookEndpoints(req, url, webhookEndpoints, (status, body) => send(res, status, body))) return;
    const expand = [...url.searchParams.entries()]
      .filter(([k]) => /^expand\[\d*\]$/.test(k))
      .map(([, v]) => v);
    const page = (all: Array<{ id: string }>) => {
      const limit = Number(url.searchParams.get('limit') ?? 10);
      const after = url.searchParams.get('starting_after');
      const start = after ? all.findIndex((i) => i.id === after) + 1 : 0;
      return {
        object: 'list',
        data: all.slice(start, start + limit),
        has_more: start + limit < all.length,
        url: url.pathname,
      };
    };
    const match = /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/.exec(url.pathname);
    if (req.method === 'GET' && match) {
      const all = lineItems.get(decodeURIComponent(match[1] ?? ''));
      if (!all) {
        return send(res, 404, {
          error: {
            type: 'invalid_request_error',
            code: 'resource_missing',
            message: 'No such checkout session',
          },
        });
      }
      const items = expand.includes('data.price.product')
        ? all.map((item) => {
            const price = item.price as { product?: unknown } | undefined;
            const product = price && stored('product', price.product);
            return product ? { ...item, price: { ...price, product } } : item;
          })
        : all;
      return send(res, 200, page(items));
    }
    if (req.method === 'GET' && url.pathname === '/v1/invoice_payments') {
      const invoice = url.searchParams.get('invoice');
      const intent = url.searchParams.get('payment[payment_intent]');
      const found = ofType('invoice_payment')
        .filter((p) => !invoice || p.invoice === invoice)
        .filter(
          (p) =>
            !intent || (p.payment as { payment_intent?: unknown } | undefined)?.payment_intent === intent,
        )
        .map((p) =>
          expand.includes('data.invoice') && stored('invoice', p.invoice)
            ? { ...p, invoice: stored('invoice', p.invoice) }
            : p,
        );
      return send(res, 200, page(found));
    }
    if (req.method === 'GET' && url.pathname === '/v1/refunds') {
      const charge = url.searchParams.get('charge');
      const intent = url.searchParams.get('payment_intent');
      const found = ofType('refund')
        .filter((r) => (!charge || r.charge === charge) && (!intent || r.payment_intent === intent))
        // Stripe lists newest first.
        .sort((a, b) => Number(b.created) - Number(a.created));
      return send(res, 200, page(found));
    }
    const v2Event = /^\/v2\/core\/events\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && v2Event) {
      const event = stored('v2.core.event', decodeURIComponent(v2Event[1] ?? ''));
      if (event) return send(res, 200, event);
      return send(res, 404, { error: { type: 'not_found', code: 'not_found', message: 'No such event' } });
    }
    if (req.method === 'GET' && url.pathname === '/v1/events') {
      // Newest first, by creation time and the `types[]` filter, as Stripe's Events API lists.
      const num = (name: string) => Number(url.searchParams.get(name) ?? NaN);
      const [gte, lte] = [num('created[gte]'), num('created[lte]')];
      const types = [...url.searchParams.entries()]
        .filter(([k]) => /^types\[\d*\]$/.test(k))
        .map(([, v]) => v);
      const found = ofType('event')
        .filter((e) => Number.isNaN(gte) || Number(e.created) >= gte)
        .filter((e) => Number.isNaN(lte) || Number(e.created) <= lte)
        .filter((e) => types.length === 0 || types.includes(String(e.type)))
        .sort((a, b) => Number(b.created) - Number(a.created));
      return send(res, 200, page(found));
    }
    const retrieve = /^\/v1\/([a-z_]+)\/([^/]+)$/.exec(url.pathname);
    const type = retrieve && Object.entries(RETRIEVABLE).find(([, segment]) => segment === retrieve[1])?.[0];
    if (req.method === 'GET' && retrieve && type) {
      const object = stored(type, decodeURIComponent(retrieve[2] ?? ''));
      if (object) return send(res, 200, object);
      return send(res, 404, {
        error: {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: `No such ${type}: '${retrieve[2]}'`,
        },
      });
    }
    return send(res, 404, {
      error: { type: 'invalid_request_error', message: `no fake for ${url.pathname}` },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setLineItems: (id, items) => lineItems.set(id, items),
    put: (...items) => {
      for (const item of items) objects.set(key(item.object, item.id), item as StripeObject);
    },
    webhookEndpoints: webhookEndpoints.all,
    failNext: (count, status = 500, retryAfterSeconds) => {
      failures = count;
      failureStatus = status;
      failureRetryAfter = retryAfterSeconds;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
