import { inspectOpenApi, waitFor } from '@billing/testkit';
import { DEFAULT_CATALOG_SEED } from '../../src/config';
import { orderIdFor } from '../../src/domain/order-id';
import { sf, useOrders, stubStripe, waitForOrder } from './harness';

const ERROR = { error: { code: expect.any(String), message: expect.any(String) } };

describe('orders HTTP API', () => {
  const h = useOrders({ prefix: 'orders_api', catalogSeedFile: DEFAULT_CATALOG_SEED });

  const http = () => h.main.service.http;

  it('answers health without a token and everything else only with the admin token', async () => {
    expect((await http().inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await http().inject({ url: '/readyz' })).statusCode).toBe(200);
    for (const url of [
      '/orders',
      '/orders/ord_x',
      '/customers/a@example.com',
      '/catalog/products',
      '/admin/parked',
      '/openapi.json',
    ]) {
      const none = await http().inject({ url });
      expect([url, none.statusCode, none.json()]).toEqual([
        url,
        401,
        { error: { code: 'unauthorized', message: expect.any(String) } },
      ]);
      const wrong = await http().inject({
        url,
        headers: { authorization: 'Bearer not-the-token-0123456789' },
      });
      expect(wrong.statusCode).toBe(401);
    }
  });

  it('refuses an unauthenticated body before reading it: 401, never 400 or 413 with details', async () => {
    const bodies = [
      { name: 'malformed JSON', payload: '{"sku": ', contentType: 'application/json' },
      { name: 'invalid for the schema', payload: '{"unexpected": true}', contentType: 'application/json' },
      { name: 'over the body limit', payload: 'x'.repeat(2 * 1024 * 1024), contentType: 'application/json' },
      { name: 'an unsupported type', payload: '<xml/>', contentType: 'application/xml' },
    ];
    for (const url of ['/catalog/products', '/admin/parked/replay']) {
      for (const body of bodies) {
        const res = await http().inject({
          method: 'POST',
          url,
          payload: body.payload,
          headers: { 'content-type': body.contentType },
        });
        expect([url, body.name, res.statusCode, res.json()]).toEqual([
          url,
          body.name,
          401,
          { error: { code: 'unauthorized', message: expect.any(String) } },
        ]);
      }
    }
  });

  it('answers JSON errors for unknown orders, customers and bad queries', async () => {
    expect(await h.api('GET', '/orders/ord_unknown')).toEqual({ status: 404, body: ERROR });
    expect(await h.api('GET', '/customers/nobody@example.com')).toEqual({ status: 404, body: ERROR });
    expect(await h.api('GET', '/orders?status=shipped')).toEqual({
      status: 400,
      body: { error: { code: 'invalid_request', message: expect.any(String) } },
    });
    expect(await h.api('GET', '/orders?limit=0')).toEqual({
      status: 400,
      body: expect.objectContaining(ERROR),
    });
    expect(await h.api('GET', '/orders?cursor=garbage')).toEqual({
      status: 400,
      body: { error: { code: 'invalid_cursor', message: expect.any(String) } },
    });
  });

  it('lists a customer’s orders newest first, page by page, matching the email case-insensitively', async () => {
    const start = Math.floor(Date.now() / 1000) - 10 * 86400;
    const purchases = Array.from({ length: 5 }, (_, i) =>
      sf.oneTimePurchase({
        email: 'Pages@Example.com',
        startAt: start + i * 3600,
        lines: [{ metadata: { sku: 'PRO-LIFETIME' } }],
      }),
    );
    for (const p of purchases) stubStripe(h.fake, p);
    await h.publishStripeEvents(purchases.map((p) => p.events.checkoutCompleted));
    const ids = purchases.map((p) => orderIdFor(p.session.id)).reverse();
    await Promise.all(ids.map((id) => waitForOrder(h, id, (o) => o.status === 'confirmed')));

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/orders?email=pages%40EXAMPLE.com&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await h.api('GET', query);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((o: { orderId: string }) => o.orderId));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);

    const customer = await h.api('GET', '/customers/PAGES@example.com');
    expect(customer.body.orders.map((o: { orderId: string }) => o.orderId)).toEqual(ids);
    expect(customer.body.payments).toEqual([]);
  });

  it('filters by status', async () => {
    const pay = sf.asyncPayment({
      email: 'status@example.com',
      lines: [{ metadata: { sku: 'PRO-LIFETIME' } }],
    });
    stubStripe(h.fake, pay);
    await h.publishStripeEvent(pay.events.checkoutCompleted);
    const orderId = orderIdFor(pay.session.id);
    await waitForOrder(h, orderId, () => true);
    const pending = (await h.api('GET', '/orders?status=pending_payment')).body.items.map(
      (o: { orderId: string }) => o.orderId,
    );
    expect(pending).toEqual([orderId]);
    const confirmed = (await h.api('GET', '/orders?status=confirmed&email=status@example.com')).body.items;
    expect(confirmed).toEqual([]);
  });

  it('serves the seeded catalog, seeding only once', async () => {
    const list = await h.api('GET', '/catalog/products?limit=500');
    expect(list.body.items.map((p: { sku: string }) => p.sku)).toEqual([
      'EBOOK-STRIPE-BILLING',
      'PREMIUM-1M',
      'PRO-1M',
      'PRO-1Y',
      'PRO-LIFETIME',
      'TSHIRT-LOGO-M',
    ]);
    expect(list.body.items.find((p: { sku: string }) => p.sku === 'TSHIRT-LOGO-M')).toMatchObject({
      kind: 'physical',
      stock: 100,
    });
    expect(list.body.items.find((p: { sku: string }) => p.sku === 'PRO-1M')).toMatchObject({
      kind: 'subscription',
      tier: 'pro',
      stock: null,
    });

    await h.api('PUT', '/catalog/products/PRO-1M', {
      name: 'Pro plan, renamed',
      kind: 'subscription',
      tier: 'pro',
    });
    const again = await h.replica();
    await again.stop();
    expect((await h.api('GET', '/catalog/products/TSHIRT-LOGO-M')).body.stock).toBe(100);
    expect((await h.api('GET', '/catalog/products/PRO-1M')).body.name).toBe('Pro plan, renamed');
  });

  it('creates, pages through, replaces and removes catalog products, and adjusts stock', async () => {
    const created = await h.api('POST', '/catalog/products', {
      sku: 'POSTER-A2',
      name: 'Poster A2',
      kind: 'physical',
      stock: 4,
      stripePriceIds: ['price_1Poster'],
    });
    expect(created).toEqual({
      status: 201,
      body: expect.objectContaining({
        sku: 'POSTER-A2',
        kind: 'physical',
        stock: 4,
        tier: null,
        active: true,
        stripePriceIds: ['price_1Poster'],
      }),
    });
    expect(
      (await h.api('POST', '/catalog/products', { sku: 'POSTER-A2', name: 'Again', kind: 'digital' })).status,
    ).toBe(409);
    expect(
      await h.api('POST', '/catalog/products', { sku: 'BAD', name: 'Bad', kind: 'service' }),
    ).toMatchObject({ status: 400, body: ERROR });
    expect(
      (await h.api('POST', '/catalog/products', { sku: 'DIGI', name: 'D', kind: 'digital', stock: 3 })).body
        .error.code,
    ).toBe('not_physical');

    const first = await h.api('GET', '/catalog/products?limit=3');
    const second = await h.api('GET', `/catalog/products?limit=3&cursor=${first.body.nextCursor}`);
    const skus = [...first.body.items, ...second.body.items].map((p: { sku: string }) => p.sku);
    expect(skus).toEqual([...skus].sort());
    expect(new Set(skus).size).toBe(skus.length);
    expect(skus).toContain('POSTER-A2');

    const adjusted = await h.api('POST', '/catalog/products/POSTER-A2/stock-adjustments', {
      delta: -3,
      note: 'damaged',
    });
    expect(adjusted).toEqual({ status: 201, body: { sku: 'POSTER-A2', delta: -3, stock: 1 } });
    expect(await h.api('POST', '/catalog/products/POSTER-A2/stock-adjustments', { delta: -2 })).toMatchObject(
      {
        status: 409,
        body: { error: { code: 'insufficient_stock' } },
      },
    );
    expect((await h.api('POST', '/catalog/products/PRO-1Y/stock-adjustments', { delta: 1 })).status).toBe(
      400,
    );

    const replaced = await h.api('PUT', '/catalog/products/POSTER-A2', {
      name: 'Poster A2 (matte)',
      kind: 'physical',
      stripeProductIds: ['prod_Poster'],
    });
    expect(replaced.body).toMatchObject({
      name: 'Poster A2 (matte)',
      stripePriceIds: [],
      stripeProductIds: ['prod_Poster'],
      stock: 1,
    });
    expect((await h.api('PUT', '/catalog/products/NOPE', { name: 'x', kind: 'digital' })).status).toBe(404);

    expect((await h.api('DELETE', '/catalog/products/POSTER-A2')).status).toBe(204);
    expect((await h.api('GET', '/catalog/products/POSTER-A2')).status).toBe(404);
    expect((await h.api('DELETE', '/catalog/products/POSTER-A2')).status).toBe(404);

    // Re-created with an opening stock: that stock, not what the deleted product had left.
    const again = await h.api('POST', '/catalog/products', {
      sku: 'POSTER-A2',
      name: 'Poster',
      kind: 'physical',
      stock: 7,
    });
    expect(again).toMatchObject({ status: 201, body: { sku: 'POSTER-A2', stock: 7 } });
  });

  it('answers the replay of a message that can never apply with its error (409, as documented)', async () => {
    // Not a Stripe event: parked at once as invalid, and a replay cannot decode it either.
    await h.publishStripeEvent({ id: `evt_invalid_${Date.now()}`, type: 'checkout.session.completed' });
    const parked = await waitFor(
      async () =>
        (await h.api('GET', '/admin/parked?kind=invalid')).body.items[0] as { id: string } | undefined,
      { what: 'the invalid message parked' },
    );
    const replay = await h.api('POST', `/admin/parked/${parked.id}/replay`);
    expect(replay).toEqual({
      status: 409,
      body: { error: { code: 'permanent_failure', message: expect.stringContaining('cannot be applied') } },
    });
  });

  it('serves a valid OpenAPI document of its routes, each with its answer and error schemas', async () => {
    const doc = await h.api('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const report = await inspectOpenApi(doc.body);
    expect(report.version).toBe('3.1.0');
    expect(report.operations).toEqual(
      expect.arrayContaining([
        'GET /orders',
        'GET /orders/{id}',
        'GET /customers/{email}',
        'DELETE /customers/{email}/data',
        'GET /catalog/products',
        'POST /catalog/products',
        'GET /catalog/products/{sku}',
        'PUT /catalog/products/{sku}',
        'DELETE /catalog/products/{sku}',
        'POST /catalog/products/{sku}/stock-adjustments',
        'GET /admin/parked',
        'GET /admin/parked/summary',
        'POST /admin/parked/{id}/replay',
        'POST /admin/parked/replay',
        'GET /healthz',
        'GET /readyz',
      ]),
    );
    expect(report.withoutSuccessSchema).toEqual([]);
    expect(report.withoutErrorSchema).toEqual(['GET /healthz']);
    expect(doc.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.body.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.body.paths['/healthz'].get.security).toEqual([]);
    const order = doc.body.paths['/orders/{id}'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(order.properties)).toEqual(
      expect.arrayContaining(['status', 'lines', 'payments', 'refunds', 'lastPaymentFailure']),
    );
  });
});
