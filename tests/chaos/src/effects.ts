import {
  adminApi,
  connectTestNats,
  type RunningSystem,
  type TestSmtpServer,
  type WebhookReceiver,
} from '@billing/testkit';
import type { Scenario } from './workload';

/** Kinds of email, by subject. */
const EMAIL_KINDS: Array<[string, RegExp]> = [
  ['purchase-confirmation', /order .* is confirmed/],
  ['payment-receipt', /^Receipt:/],
  ['payment-failed', /^Action needed/],
  ['tier-welcome', /^Welcome to /],
  ['tier-changed', /plan is now/],
  ['tier-ended', /has ended$/],
  ['cancellation-confirmed', /subscription is cancelled$/],
];

function emailKind(subject: string): string {
  return EMAIL_KINDS.find(([, re]) => re.test(subject))?.[0] ?? `other: ${subject}`;
}

/** What one effect is about, so two different ids for the same thing count as a duplicate. */
function webhookKey(event: string, data: Record<string, unknown>): string {
  const license = data.license as { licenseId?: string } | undefined;
  const about =
    (event === 'license.extended' ? data.invoiceId : undefined) ??
    license?.licenseId ??
    data.paymentId ??
    data.paymentIntentId ??
    data.refundId ??
    data.subscriptionId ??
    data.orderId ??
    data.endpointId;
  // Events that may come several times for one subscription differ in what they say.
  const what =
    event === 'tier.changed'
      ? `:${String(data.previousTier)}>${String(data.tier)}`
      : event === 'subscription.updated'
        ? `:${String(data.status)}:${String(data.tier)}:${String(data.currentPeriodEnd)}`
        : '';
  return `${event}:${String(data.customerEmail ?? '')}:${String(about ?? '')}${what}`;
}

export interface Tally {
  /** Effects expected by every scenario that are missing. */
  lost: string[];
  /** The same effect under two ids (two emails, two webhooks, two domain events). */
  duplicated: string[];
  /** The same message sent again under its own id (a receiver or mail client drops it). */
  resent: { webhooks: number; emails: number };
  parked: Record<string, number>;
  /** Counts by kind, for the report. */
  counts: Record<string, number>;
}

type Order = { orderId: string; status: string };
type OrderDetail = Order & { payments: unknown[] };
type License = { licenseId: string; status: string };

/**
 * Counts every effect through the public APIs (orders, licenses, entitlements, parked messages),
 * the SMTP server, the webhook receiver and the event streams, against what each scenario must
 * have caused exactly once.
 */
export async function tally(
  scenarios: readonly Scenario[],
  t: { system: RunningSystem; smtp: TestSmtpServer; receiver: WebhookReceiver; natsUrl: string },
): Promise<Tally> {
  const { system } = t;
  const lost: string[] = [];
  const duplicated: string[] = [];
  const counts: Record<string, number> = {};
  const count = (kind: string, n = 1) => (counts[kind] = (counts[kind] ?? 0) + n);
  const api = <T>(service: 'orders' | 'licensing', path: string) =>
    adminApi<T>(`${system.urls[service]}${path}`, system.adminToken);

  // Emails: one per (recipient, kind) unless it is a receipt (one per paid invoice).
  const emails = new Map<string, Set<string>>();
  let resentEmails = 0;
  const seenMessageIds = new Set<string>();
  for (const mail of t.smtp.messages) {
    const kind = emailKind(mail.parsed.subject ?? '');
    const messageId = mail.parsed.messageId ?? '';
    if (seenMessageIds.has(messageId)) {
      resentEmails += 1;
      continue;
    }
    seenMessageIds.add(messageId);
    count(`emails: ${kind}`);
    const key = `${mail.envelopeTo.join(',')} ${kind} ${kind === 'payment-receipt' ? messageId : ''}`;
    emails.set(key, (emails.get(key) ?? new Set()).add(messageId));
  }
  for (const [key, ids] of emails) if (ids.size > 1) duplicated.push(`email ${key} x${ids.size}`);
  const emailsOf = (to: string, kind: string) =>
    t.smtp.messages.filter((m) => m.envelopeTo.includes(to) && emailKind(m.parsed.subject ?? '') === kind);

  // Webhooks: one id per effect; a delivery of an id already received is a resend.
  const webhooks = new Map<string, Set<string>>();
  let resentWebhooks = 0;
  const seenWebhookIds = new Set<string>();
  for (const hook of t.receiver.received) {
    if (seenWebhookIds.has(hook.id)) {
      resentWebhooks += 1;
      continue;
    }
    seenWebhookIds.add(hook.id);
    count(`webhooks: ${hook.event}`);
    const key = webhookKey(hook.event, hook.data);
    webhooks.set(key, (webhooks.get(key) ?? new Set()).add(hook.id));
  }
  for (const [key, ids] of webhooks) if (ids.size > 1) duplicated.push(`webhook ${key} x${ids.size}`);
  const hooksOf = (email: string, event: string) => [
    ...new Set(
      t.receiver.received.filter((h) => h.event === event && h.data.customerEmail === email).map((h) => h.id),
    ),
  ];

  // Domain events: every id stored once in its stream.
  const licensingEventsOf = new Map<string, string[]>();
  const bus = await connectTestNats(t.natsUrl);
  try {
    for (const stream of ['ORDERS_EVENTS', 'LICENSING_EVENTS', 'NOTIFICATIONS_EVENTS']) {
      const ids = new Map<string, number>();
      for (const msg of await bus.messages(stream)) {
        const envelope = JSON.parse(new TextDecoder().decode(msg.data)) as {
          id: string;
          payload: { customerEmail?: string; licenses?: Array<{ status: string }> };
        };
        ids.set(envelope.id, (ids.get(envelope.id) ?? 0) + 1);
        const email = envelope.payload.customerEmail;
        if (stream === 'LICENSING_EVENTS' && email) {
          const statuses = envelope.payload.licenses?.map((l) => l.status).join('/') ?? '';
          const line = `${msg.subject.split('.').slice(1, 3).join('.')}${statuses ? `(${statuses})` : ''}`;
          licensingEventsOf.set(email, [...(licensingEventsOf.get(email) ?? []), line]);
        }
      }
      count(`domain events: ${stream}`, ids.size);
      for (const [id, n] of ids) if (n > 1) duplicated.push(`domain event ${id} x${n}`);
    }
  } finally {
    await bus.close();
  }

  // Exactly once, whatever the order and timing: the order, its payments, licenses and their
  // final state, the purchase email, receipts, and the webhooks of those. Announcements of passing
  // states (a tier while the subscription lasted, a suspension) depend on when the events are
  // applied: when the subscription was deleted before its earlier events were applied, its
  // passing tiers are never announced. Those are only checked for duplicates.
  for (const s of scenarios) {
    const need = (ok: boolean, what: string) => {
      if (ok) return;
      const tiers = t.receiver.received
        .filter((h) => h.event === 'tier.changed' && h.data.customerEmail === s.email)
        .map((h) => `${String(h.data.previousTier)}>${String(h.data.tier)}`);
      const subjects = t.smtp.messages
        .filter((m) => m.envelopeTo.includes(s.email))
        .map((m) => emailKind(m.parsed.subject ?? ''));
      const events = licensingEventsOf.get(s.email) ?? [];
      lost.push(
        `${s.email}: ${what} (tier.changed ${tiers.join(', ')}; emails ${subjects.join(', ')}; ` +
          `licensing events ${events.join(', ')})`,
      );
    };
    const orders = (await api<{ items: Order[] }>('orders', `/orders?email=${encodeURIComponent(s.email)}`))
      .body.items;
    count('orders', orders.length);
    need(orders.length === 1, `1 order (found ${orders.length})`);
    if (orders.length > 1) duplicated.push(`${s.email}: ${orders.length} orders`);
    const order = orders[0];
    if (!order) continue;
    const detail = (await api<OrderDetail>('orders', `/orders/${order.orderId}`)).body;
    const payments = detail.payments.length;
    count('payments', payments);
    const expectedPayments = s.kind === 'checkout' ? 1 : s.paidInvoices;
    need(payments === expectedPayments, `${expectedPayments} payments (found ${payments})`);
    if (payments > expectedPayments) duplicated.push(`${s.email}: ${payments} payments`);
    need(
      order.status === (s.kind === 'checkout' ? 'confirmed' : 'cancelled'),
      `order status (${order.status})`,
    );

    const licenses = (await api<{ licenses: License[] }>('licensing', `/licenses?orderId=${order.orderId}`))
      .body.licenses;
    count('licenses', licenses.length);
    need(licenses.length === 1, `1 license (found ${licenses.length})`);
    if (licenses.length > 1) duplicated.push(`${s.email}: ${licenses.length} licenses`);
    const finalStatus = s.kind === 'checkout' ? 'active' : 'revoked';
    need(licenses[0]?.status === finalStatus, `license ${finalStatus} (${licenses[0]?.status})`);
    const tier = (
      await adminApi<{ tier: string }>(
        `${system.urls.licensing}/customers/${encodeURIComponent(s.email)}/entitlements`,
        system.adminToken,
      )
    ).body.tier;
    need(tier === (s.kind === 'checkout' ? 'PRO' : 'FREE'), `tier (${tier})`);

    need(emailsOf(s.email, 'purchase-confirmation').length >= 1, 'purchase email');
    need(hooksOf(s.email, 'checkout.completed').length === 1, 'checkout.completed webhook');
    need(hooksOf(s.email, 'license.issued').length === 1, 'license.issued webhook');
    need(hooksOf(s.email, 'payment.succeeded').length === expectedPayments, 'payment.succeeded webhooks');
    if (s.kind === 'checkout') {
      need(emailsOf(s.email, 'tier-welcome').length >= 1, 'welcome email');
      need(hooksOf(s.email, 'tier.changed').length === 1, 'tier.changed webhook');
    } else {
      need(emailsOf(s.email, 'payment-receipt').length >= expectedPayments - 1, 'renewal receipts');
      // A license issued after the deletion was applied is issued revoked: no revocation follows.
      const issuedRevoked = t.receiver.received.some(
        (h) =>
          h.event === 'license.issued' &&
          h.data.customerEmail === s.email &&
          (h.data.license as { status?: string }).status === 'revoked',
      );
      need(
        hooksOf(s.email, 'license.revoked').length + (issuedRevoked ? 1 : 0) === 1,
        'license.revoked webhook, or the license issued revoked',
      );
      need(hooksOf(s.email, 'subscription.cancelled').length === 1, 'subscription.cancelled webhook');
    }
  }

  const parked: Record<string, number> = {};
  for (const service of ['orders', 'licensing', 'notifications'] as const) {
    const summary = await adminApi<{ total: number }>(
      `${system.urls[service]}/admin/parked/summary`,
      system.adminToken,
    );
    parked[service] = summary.body.total;
  }
  return { lost, duplicated, resent: { webhooks: resentWebhooks, emails: resentEmails }, parked, counts };
}
