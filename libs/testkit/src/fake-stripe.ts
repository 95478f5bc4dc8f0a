import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeStripeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

export interface FakeStripe {
  url: string;
  requests: FakeStripeRequest[];
  /** Answers GET /v1/checkout/sessions/:id/line_items from these items, paginated by `limit`/`starting_after`. */
  setLineItems(sessionId: string, items: Array<{ id: string } & Record<string, unknown>>): void;
  /** The next `count` requests get a 500 (or the given status) with a Stripe-style error body. */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

/**
 * A small HTTP server that speaks Stripe's API for the objects our tests need. The `stripe`
 * client is pointed at it through STRIPE_API_URL, like at stripe-mock or Stripe itself.
 */
export async function startFakeStripe(): Promise<FakeStripe> {
  const lineItems = new Map<string, Array<{ id: string } & Record<string, unknown>>>();
  const requests: FakeStripeRequest[] = [];
  let failures = 0;
  let failureStatus = 500;

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${Date.now()}` });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers });
    req.resume();
    if (failures > 0) {
      failures -= 1;
      return send(res, failureStatus, { error: { type: 'api_error', message: 'fake outage' } });
    }
    const match = /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/.exec(url.pathname);
    if (req.method === 'GET' && match) {
      const all = lineItems.get(decodeURIComponent(match[1] ?? ''));
      if (!all) {
        return send(res, 404, {
          error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such checkout session' },
        });
      }
      const limit = Number(url.searchParams.get('limit') ?? 10);
      const after = url.searchParams.get('starting_after');
      const start = after ? all.findIndex((i) => i.id === after) + 1 : 0;
      const page = all.slice(start, start + limit);
      return send(res, 200, {
        object: 'list',
        data: page,
        has_more: start + limit < all.length,
        url: url.pathname,
      });
    }
    return send(res, 404, { error: { type: 'invalid_request_error', message: `no fake for ${url.pathname}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setLineItems: (id, items) => lineItems.set(id, items),
    failNext: (count, status = 500) => {
      failures = count;
      failureStatus = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
