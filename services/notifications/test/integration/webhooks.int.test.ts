import {
  ENDPOINT_DISABLED_V1,
  NOTIFICATIONS_EVENTS_STREAM,
  ORDER_CONFIRMED_V1,
  ORDER_LICENSED_V1,
  PAYMENT_FAILED_V1,
  type EventEnvelopeV1,
} from '@billing/contracts';
import {
  envelopeDraft,
  licenseSummary,
  orderConfirmed,
  orderLicensed,
  orderSnapshot,
  rand,
  waitFor,
} from '@billing/testkit';
import { useNotifications, type Json } from './harness';
import { verify, webhookHelpers } from './webhook-helpers';

jest.setTimeout(30_000);

describe('outbound webhooks (real NATS, store and HTTP receiver)', () => {
  const h = useNotifications();

  beforeEach(() => {
    h.receiver.requests.length = 0;
    h.receiver.respond = () => ({ status: 204 });
  });

  const { createEndpoint, messagesOf, tierChanged } = webhookHelpers(h);

  it('manages endpoints behind the admin token, refusing unknown events and non-http URLs', async () => {
    const anonymous = await h.service.http.inject({ method: 'GET', url: '/webhooks/endpoints' });
    expect(anonymous.statusCode).toBe(401);
    expect(
      (await h.api('POST', '/webhooks/endpoints', { url: `${h.receiver.url}/x`, events: ['order.shipped'] }))
        .body,
    ).toEqual({
      error: { code: 'unknown_event', message: expect.stringContaining('order.shipped') },
    });
    const ftp = await h.api('POST', '/webhooks/endpoints', { url: 'ftp://example.com/in', events: ['*'] });
    expect(ftp.status).toBe(400);
    expect(ftp.body.error.code).toBe('unsafe_url');

    const created = await createEndpoint(['tier.changed', 'payment.failed']);
    expect(created.id).toMatch(/^ep_/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const got = await h.api('GET', `/webhooks/endpoints/${created.id}`);
    expect(got.body).toMatchObject({
      id: created.id,
      events: ['tier.changed', 'payment.failed'],
      status: 'enabled',
      description: 'test',
    });
    expect(JSON.stringify(got.body)).not.toContain(created.secret);
    expect((await h.api('GET', '/webhooks/endpoints')).body.items.map((e: Json) => e.id)).toContain(
      created.id,
    );

    const patched = await h.api('PATCH', `/webhooks/endpoints/${created.id}`, {
      events: ['*'],
      description: 'all',
    });
    expect(patched.body).toMatchObject({ events: ['*'], description: 'all' });
    expect((await h.api('POST', `/webhooks/endpoints/${created.id}/disable`)).body.status).toBe('disabled');
    expect((await h.api('POST', `/webhooks/endpoints/${created.id}/enable`)).body.status).toBe('enabled');
    expect((await h.api('DELETE', `/webhooks/endpoints/${created.id}`)).status).toBe(204);
    expect((await h.api('GET', `/webhooks/endpoints/${created.id}`)).status).toBe(404);
    const types = (await h.api('GET', '/webhooks/event-types')).body.items.map((t: Json) => t.name);
    expect(types).toEqual(
      expect.arrayContaining(['checkout.completed', 'license.issued', 'tier.changed', 'order.refunded']),
    );
  });

  it('sends one checkout.completed for an order whose licenses come in pages, and every license.issued', async () => {
    const endpoint = await createEndpoint(['checkout.completed', 'license.issued']);
    const order = orderSnapshot({ customerEmail: `pages-${rand(4)}@example.com` });
    const pages = [
      [licenseSummary(order), licenseSummary(order)],
      [licenseSummary(order), licenseSummary(order)],
    ];
    await h.publishEnvelope(ORDER_CONFIRMED_V1, orderConfirmed(order));
    for (const [i, licenses] of pages.entries()) {
      const first = orderLicensed(order, licenses);
      await h.publishEnvelope(ORDER_LICENSED_V1, {
        ...first,
        id: i === 0 ? first.id : `${first.id}:page:${i + 1}`,
        payload: { ...first.payload, page: { number: i + 1, of: 2, licenseCount: 4 } },
      });
    }
    await waitFor(() => h.receiver.requests.length >= 5, { what: '5 webhooks' });
    await h.settled();
    const bodies = h.receiver.requests.map((req) => verify(endpoint.secret, req));
    const checkouts = bodies.filter((b) => b.event === 'checkout.completed');
    expect(checkouts).toHaveLength(1);
    expect(checkouts[0]!.data).toMatchObject({ licenseCount: 4, licenses: pages[0]!.map((l) => ({ ...l })) });
    const issued = bodies.filter((b) => b.event === 'license.issued').map((b) => b.data.license.key);
    expect(issued.sort()).toEqual(
      pages
        .flat()
        .map((l) => l.key)
        .sort(),
    );
    expect(h.receiver.requests).toHaveLength(5);
    await h.api('DELETE', `/webhooks/endpoints/${endpoint.id}`);
  });

  it('delivers a verified checkout.completed and one license.issued per license, once, to subscribed endpoints only', async () => {
    const endpoint = await createEndpoint(['checkout.completed', 'license.issued']);
    const other = await createEndpoint(['payment.failed']);
    const order = orderSnapshot({ customerEmail: `hooks-${rand(4)}@example.com` });
    const licenses = [licenseSummary(order), licenseSummary(order)];
    await h.publishEnvelope(ORDER_CONFIRMED_V1, orderConfirmed(order));
    const licensed = await h.publishEnvelope(ORDER_LICENSED_V1, orderLicensed(order, licenses));
    await waitFor(() => h.receiver.requests.length >= 3, { what: '3 webhooks' });

    const bodies = h.receiver.requests.map((req) => {
      const body = verify(endpoint.secret, req);
      expect(req.headers['webhook-id']).toBe(body.id);
      expect(req.headers['content-type']).toBe('application/json');
      return body;
    });
    const checkout = bodies.find((b) => b.event === 'checkout.completed');
    expect(checkout).toEqual({
      id: expect.stringMatching(/^whevt_/),
      event: 'checkout.completed',
      createdAt: licensed.occurredAt,
      data: {
        orderId: order.orderId,
        customerEmail: order.customerEmail,
        customerName: 'Ada Lovelace',
        subscriptionId: null,
        amountTotal: 7400,
        currency: 'usd',
        licenses: licenses.map((l) => ({ ...l })),
      },
    });
    const issued = bodies.filter((b) => b.event === 'license.issued').map((b) => b.data.license.key);
    expect(issued.sort()).toEqual(licenses.map((l) => l.key).sort());

    // The same domain event again (past JetStream's duplicate window): no new message, no new POST.
    await h.republish(licensed, `${licensed.id}#again`);
    await h.settled();
    await new Promise((r) => setTimeout(r, 200));
    expect(h.receiver.requests).toHaveLength(3);
    expect(await messagesOf(endpoint.id)).toHaveLength(3);
    expect(await messagesOf(other.id)).toHaveLength(0);
    await h.api('DELETE', `/webhooks/endpoints/${endpoint.id}`);
    await h.api('DELETE', `/webhooks/endpoints/${other.id}`);
  });

  it('retries a receiver that fails first, and lists every attempt with status, duration and response', async () => {
    const endpoint = await createEndpoint(['tier.changed']);
    h.receiver.respond = (_req, i) =>
      i < 2 ? { status: 500, body: `boom ${i}` } : { status: 200, body: 'ok' };
    await tierChanged();
    await waitFor(() => h.receiver.requests.length >= 3, { what: 'third attempt' });
    const ids = new Set(h.receiver.requests.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    for (const req of h.receiver.requests) expect(verify(endpoint.secret, req).event).toBe('tier.changed');

    const [message] = await waitFor(async () => {
      const items = await messagesOf(endpoint.id);
      return items[0]?.status === 'delivered' && items;
    });
    const detail = (await h.api('GET', `/webhooks/messages/${message.id}`)).body;
    expect(detail).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastStatusCode: 200,
      payload: { event: 'tier.changed' },
    });
    expect(detail.attemptLog).toEqual([
      expect.objectContaining({
        attempt: 1,
        status: 'failed',
        statusCode: 500,
        responseSnippet: 'boom 0',
        error: 'HTTP 500',
      }),
      expect.objectContaining({ attempt: 2, status: 'failed', statusCode: 500, responseSnippet: 'boom 1' }),
      expect.objectContaining({
        attempt: 3,
        status: 'succeeded',
        statusCode: 200,
        responseSnippet: 'ok',
        error: null,
      }),
    ]);
    for (const attempt of detail.attemptLog) expect(attempt.durationMs).toEqual(expect.any(Number));
    // The schedule (0, 100, 200 ms) spaced the attempts.
    const [a, b, c] = h.receiver.requests.map((r) => r.at);
    expect(b! - a!).toBeGreaterThanOrEqual(90);
    expect(c! - b!).toBeGreaterThanOrEqual(190);

    // Replaying the delivered message sends it again under the same id.
    expect((await h.api('POST', `/webhooks/messages/${message.id}/replay`)).status).toBe(202);
    await waitFor(() => h.receiver.requests.length >= 4, { what: 'replayed delivery' });
    expect(h.receiver.requests[3]!.headers['webhook-id']).toBe([...ids][0]);
    await waitFor(async () => (await h.api('GET', `/webhooks/messages/${message.id}`)).body.attempts === 4);
    await h.api('DELETE', `/webhooks/endpoints/${endpoint.id}`);
  });

  it('disables an endpoint failing too long, tells the operator, keeps its messages, and replays them once fixed', async () => {
    const endpoint = await createEndpoint(['payment.failed']);
    h.receiver.respond = () => ({ status: 503, body: 'down for maintenance' });
    const failed = (key: string) =>
      h.publishEnvelope(
        PAYMENT_FAILED_V1,
        envelopeDraft(PAYMENT_FAILED_V1.type, key, {
          orderId: null,
          customerEmail: null,
          paymentIntentId: key,
          invoiceId: null,
          subscriptionId: null,
          amount: 500,
          currency: 'usd',
          reason: {
            code: 'card_declined',
            declineCode: 'generic_decline',
            message: null,
            type: 'card_error',
          },
          failedAt: new Date().toISOString(),
        }),
      );
    // Every write to the operator's endpoint document while the worker fails and disables it.
    const endpointWrites: string[] = [];
    const watchWrites = (op: { collectionName: string; method: string }) => {
      const writes = /^(insert|update|replace|delete|bulkWrite|findOneAnd)/.test(op.method);
      if (op.collectionName === 'webhook_endpoints' && writes) endpointWrites.push(op.method);
    };
    h.infra.db.on('operation-start', watchWrites);
    const since = new Date().toISOString();
    await failed(`pi_${rand()}`);
    const disabled = await waitFor(
      async () => {
        const e = (await h.api('GET', `/webhooks/endpoints/${endpoint.id}`)).body;
        return e.status === 'disabled' && e;
      },
      { what: 'endpoint disabled', timeoutMs: 8000 },
    );
    expect(disabled).toMatchObject({ disabledReason: 'failing', lastError: 'HTTP 503' });
    // The streak and the disabling are the worker's own document: none of its writes can put back
    // an URL, status or secret an operator changed meanwhile.
    h.infra.db.off('operation-start', watchWrites);
    expect(endpointWrites).toEqual([]);
    const attemptsBeforeDisable = h.receiver.requests.length;
    expect(attemptsBeforeDisable).toBeGreaterThanOrEqual(4);

    const notices = await waitFor(async () => {
      const msgs = await h.nats.messages(NOTIFICATIONS_EVENTS_STREAM.name, ENDPOINT_DISABLED_V1.subject);
      const mine = msgs
        .map((m) => JSON.parse(new TextDecoder().decode(m.data)) as EventEnvelopeV1)
        .filter((e) => (e.payload as { endpointId: string }).endpointId === endpoint.id);
      return mine.length > 0 && mine;
    });
    expect(notices).toHaveLength(1);
    expect(notices[0]!.payload).toMatchObject({
      url: disabled.url,
      lastError: 'HTTP 503',
      failingSince: disabled.failingSince,
    });

    // While disabled, new events are kept for it but not sent.
    await failed(`pi_${rand()}`);
    await waitFor(async () => (await messagesOf(endpoint.id)).length === 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.receiver.requests).toHaveLength(attemptsBeforeDisable);
    expect((await messagesOf(endpoint.id)).map((m) => m.status)).toEqual(['failed', 'failed']);
    expect((await h.api('POST', `/webhooks/endpoints/${endpoint.id}/replay`, { since })).status).toBe(409);

    // Fixed: enable and replay everything since before the outage.
    h.receiver.respond = () => ({ status: 204 });
    await h.api('POST', `/webhooks/endpoints/${endpoint.id}/enable`);
    const replay = await h.api('POST', `/webhooks/endpoints/${endpoint.id}/replay`, { since });
    expect(replay).toEqual({ status: 202, body: { replayed: 2 } });
    await waitFor(async () => (await messagesOf(endpoint.id)).every((m) => m.status === 'delivered'), {
      what: 'both delivered after replay',
    });
    const delivered = h.receiver.requests
      .slice(attemptsBeforeDisable)
      .map((r) => verify(endpoint.secret, r).data.paymentIntentId);
    expect(new Set(delivered).size).toBe(2);
    await h.api('DELETE', `/webhooks/endpoints/${endpoint.id}`);
  });

  it('does not follow redirects and gives up on a receiver slower than the timeout', async () => {
    const endpoint = await createEndpoint(['tier.changed']);
    h.receiver.respond = (_req, i) =>
      i === 0
        ? { status: 302, headers: { location: `${h.receiver.url}/elsewhere` } }
        : { status: 200, delayMs: 1500 };
    await tierChanged();
    const [message] = await waitFor(async () => {
      const items = await messagesOf(endpoint.id);
      return items[0]?.attempts >= 2 && items;
    });
    const log = (await h.api('GET', `/webhooks/messages/${message.id}/attempts`)).body.items;
    expect(log[0]).toMatchObject({
      status: 'failed',
      statusCode: 302,
      error: `redirect to ${h.receiver.url}/elsewhere not followed`,
    });
    expect(log[1]).toMatchObject({ status: 'failed', statusCode: null, error: 'timeout after 1000 ms' });
    expect(log[1].durationMs).toBeGreaterThanOrEqual(1000);
    expect(log[1].durationMs).toBeLessThan(1500);
    expect(h.receiver.requests.map((r) => r.path)).not.toContain('/elsewhere');
    await h.api('DELETE', `/webhooks/endpoints/${endpoint.id}`);
  });
});
