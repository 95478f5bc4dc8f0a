import type {
  Customer,
  CustomerNotifications,
  EmailSend,
  License,
  Order,
  OrderDetail,
  Payment,
  WebhookMessage,
} from '../upstream/types';
import { badge, facts, href, link, money, searchForm, table, when } from './components';
import { html, type Html } from './html';

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

function unavailable(what: string, error: string): Html {
  return html`<p class="error" role="alert">${what} unavailable (${error}).</p>`;
}

export function ordersSearchView(q: string, notFound: boolean): Html {
  return html`${searchForm({
    action: '/orders',
    id: 'order-q',
    label: 'Email or order id',
    value: q,
    hint: 'An email address shows the customer with their orders; an order id (ord_…) opens the order.',
  })}
  ${notFound ? html`<p role="status">No order <code>${q}</code>.</p>` : ''}`;
}

export function ordersTable(orders: readonly Order[], caption = 'Orders, newest first'): Html {
  return table({
    caption,
    head: ['Order', 'Created', 'Status', 'Payment', 'Total', 'Customer'],
    rows: orders.map((o) => [
      link(href(['orders', o.orderId]), html`<code>${o.orderId}</code>`),
      when(o.createdAt),
      badge(o.status),
      badge(o.paymentStatus),
      money(o.amountTotal, o.currency),
      o.customerEmail,
    ]),
    numeric: [4],
    empty: 'No orders.',
  });
}

function paymentsTable(payments: readonly Payment[]): Html {
  return table({
    caption: 'Payments',
    head: ['Payment', 'Paid', 'Source', 'Reason', 'Amount', 'Period end'],
    rows: payments.map((p) => [
      html`<code>${p.paymentId}</code>`,
      when(p.paidAt),
      p.source,
      p.billingReason ?? '–',
      money(p.amount, p.currency),
      when(p.periodEnd),
    ]),
    numeric: [4],
  });
}

export function licensesTable(licenses: readonly License[]): Html {
  return table({
    caption: 'Licenses',
    head: ['License', 'Product', 'Tier', 'Status', 'Expires', 'Order'],
    rows: licenses.map((l) => [
      link(href(['licenses', l.licenseId]), html`<code>${l.licenseId}</code>`),
      `${l.productName} (${l.productSku})`,
      l.tier ?? '–',
      html`${badge(l.status)}${l.revokeReason ? ` (${l.revokeReason.replace(/_/g, ' ')})` : ''}`,
      l.expiresAt ? when(l.expiresAt) : 'never',
      link(href(['orders', l.orderId]), html`<code>${l.orderId}</code>`),
    ]),
  });
}

function emailsTable(emails: readonly EmailSend[]): Html {
  return table({
    caption: 'Emails',
    head: ['Template', 'Subject', 'To', 'Status', 'Attempts', 'Created', 'Sent'],
    rows: emails.map((e) => [
      e.template,
      e.subject ?? '–',
      e.to,
      html`${badge(e.status)}${e.lastError ? html` <span class="muted">${e.lastError}</span>` : ''}`,
      e.attempts,
      when(e.createdAt),
      when(e.sentAt),
    ]),
    numeric: [4],
  });
}

export function messagesTable(messages: readonly WebhookMessage[], caption = 'Webhook deliveries'): Html {
  return table({
    caption,
    head: ['Message', 'Event', 'Endpoint', 'Status', 'Attempts', 'Last answer', 'Created'],
    rows: messages.map((m) => [
      link(href(['webhooks', 'messages', m.id]), html`<code>${m.id}</code>`),
      m.event,
      link(href(['webhooks', 'endpoints', m.endpointId]), html`<code>${m.endpointId}</code>`),
      badge(m.status),
      m.attempts,
      m.lastStatusCode ?? m.lastError ?? '–',
      when(m.createdAt),
    ]),
    numeric: [4],
  });
}

function notificationsSections(result: Result<CustomerNotifications>, scope: string): Html {
  if (!result.ok)
    return html`<h2>Emails and webhooks</h2>
      ${unavailable('Notifications', result.error)}`;
  return html`<h2 id="emails">Emails ${scope}</h2>
    ${emailsTable(result.value.emails)}
    <h2 id="webhooks">Webhook deliveries ${scope}</h2>
    ${messagesTable(result.value.webhookMessages)}`;
}

export function customerView(data: {
  email: string;
  customer: Result<Customer | null>;
  licenses: Result<License[]>;
  notifications: Result<CustomerNotifications>;
}): Html {
  const c = data.customer;
  const account = !c.ok
    ? unavailable('The account', c.error)
    : c.value === null
      ? html`<p role="status">No customer account for <strong>${data.email}</strong> in orders.</p>`
      : html`${facts([
            ['Email', c.value.email],
            ['Name', c.value.name],
            ['Stripe customers', c.value.stripeCustomerIds.join(', ') || '–'],
            ['Customer since', when(c.value.createdAt)],
          ])}
          <h2 id="orders">Orders</h2>
          ${ordersTable(c.value.orders)}
          <h2 id="payments">Payments</h2>
          ${paymentsTable(c.value.payments)}`;
  return html`${account}
    <h2 id="licenses">Licenses</h2>
    ${data.licenses.ok ? licensesTable(data.licenses.value) : unavailable('Licenses', data.licenses.error)}
    ${notificationsSections(data.notifications, 'to this customer')}`;
}

/** What of a customer's notifications concerns one order (their events name the order). */
export function forOrder(
  result: Result<CustomerNotifications>,
  orderId: string,
): Result<CustomerNotifications> {
  if (!result.ok) return result;
  return {
    ok: true,
    value: {
      emails: result.value.emails.filter((e) => e.eventId.includes(orderId)),
      webhookMessages: result.value.webhookMessages.filter((m) =>
        JSON.stringify(m.payload.data ?? {}).includes(orderId),
      ),
    },
  };
}

export function orderView(data: {
  order: OrderDetail;
  licenses: Result<License[]>;
  notifications: Result<CustomerNotifications>;
}): Html {
  const o = data.order;
  const failure = o.lastPaymentFailure;
  return html`${facts([
      ['Status', badge(o.status)],
      ['Payment', badge(o.paymentStatus)],
      ['Customer', link(href(['customers', o.customerEmail]), o.customerEmail)],
      ['Name', o.customerName],
      ['Mode', o.mode],
      ['Created', when(o.createdAt)],
      ['Confirmed', when(o.confirmedAt)],
      ['Total', money(o.amountTotal, o.currency)],
      ['Paid', money(o.amountPaid, o.currency)],
      ['Refunded', money(o.amountRefunded, o.currency)],
      ['Subscription', o.subscriptionId ? html`<code>${o.subscriptionId}</code>` : '–'],
      ['Paid through', when(o.currentPeriodEnd)],
      ['Cancelled', o.cancelledAt ? when(o.cancelledAt) : '–'],
      [
        'Last payment failure',
        failure ? html`${failure.message ?? failure.code ?? 'failed'} (${when(failure.failedAt)})` : '–',
      ],
      ['Checkout session', html`<code>${o.checkoutSessionId}</code>`],
    ])}
    <h2 id="lines">Lines</h2>
    ${table({
      caption: 'Order lines',
      head: ['Description', 'SKU', 'Kind', 'Tier', 'Quantity', 'Unit price', 'Total'],
      rows: o.lines.map((l) => [
        html`${l.productName ?? l.description}${l.unmapped ? html` <span class="badge badge-warn">not in catalog</span>` : ''}`,
        l.sku ?? '–',
        l.kind ?? '–',
        l.tier ?? '–',
        l.quantity,
        money(l.unitAmount, l.currency),
        money(l.amountTotal, l.currency),
      ]),
      numeric: [4, 5, 6],
    })}
    <h2 id="payments">Payments</h2>
    ${paymentsTable(o.payments)}
    <h2 id="refunds">Refunds</h2>
    ${table({
      caption: 'Refunds',
      head: ['Refund', 'Charge', 'Refunded', 'Amount', 'Full'],
      rows: o.refunds.map((r) => [
        html`<code>${r.refundId}</code>`,
        html`<code>${r.chargeId}</code>`,
        when(r.refundedAt),
        money(r.amount, r.currency),
        r.full ? 'yes' : 'no',
      ]),
      numeric: [3],
    })}
    <h2 id="licenses">Licenses</h2>
    ${data.licenses.ok ? licensesTable(data.licenses.value) : unavailable('Licenses', data.licenses.error)}
    ${notificationsSections(forOrder(data.notifications, o.orderId), 'for this order')}`;
}
