import type { ParkingService } from '../upstream/services';
import type { ConsumersState, Endpoint, ParkedSummary } from '../upstream/types';
import { badge, displayUrl, href, link, searchForm, table, when } from './components';
import { html, type Html } from './html';
import { consumerLag, stripeEventsByType } from './jetstream.view';

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export interface OverviewData {
  ready: Record<ParkingService, boolean>;
  parked: Record<ParkingService, Result<ParkedSummary>>;
  consumers: Record<ParkingService, Result<ConsumersState>>;
  /** The Stripe-consuming services' answers, for the Stripe event stream's counts. */
  stripeStream: ReadonlyArray<{ service: ParkingService; result: Result<ConsumersState> }>;
  endpoints: Result<Endpoint[]>;
}

/** Endpoints an operator should look at: disabled, or failing since some time. */
export function needsAttention(endpoint: Endpoint): boolean {
  return endpoint.status === 'disabled' || endpoint.failingSince !== null;
}

function card(label: string, value: string | number, to?: string): Html {
  return html`<div class="card"><span class="n">${value}</span>${to ? link(to, label) : label}</div>`;
}

export function overviewView(data: OverviewData): Html {
  const services = Object.keys(data.parked) as ParkingService[];
  const parkedTotal = services.reduce((sum, s) => {
    const r = data.parked[s];
    return sum + (r.ok ? r.value.total : 0);
  }, 0);
  const endpoints = data.endpoints.ok ? data.endpoints.value : [];
  const attention = endpoints.filter(needsAttention);
  const failing = endpoints.filter((e) => e.status === 'enabled' && e.failingSince !== null).length;
  const disabled = endpoints.filter((e) => e.status === 'disabled').length;

  const parkedRows = services.flatMap((service) => {
    const result = data.parked[service];
    if (!result.ok)
      return [[service, html`<span class="badge badge-bad">unavailable</span>`, result.error, '', '']];
    if (result.value.byConsumerAndKind.length === 0) return [[service, '–', 'nothing parked', '0', '']];
    return result.value.byConsumerAndKind.map((row) => [
      service,
      html`<code>${row.consumer}</code>`,
      badge(row.kind),
      link(href(['parked'], { service, consumer: row.consumer, kind: row.kind }), String(row.count)),
      when(row.oldestParkedAt),
    ]);
  });

  return html` <section aria-labelledby="find">
      <h2 id="find">Find</h2>
      ${searchForm({ action: '/orders', id: 'order-q', label: 'Order or customer', hint: 'An email address or an order id (ord_…)' })}
      ${searchForm({ action: '/licenses', id: 'license-q', label: 'License', hint: 'An email address or a license id (lic_…)' })}
      ${searchForm({ action: '/stripe-events', id: 'stripe-email', name: 'email', label: 'Stripe events of an email', hint: 'The Stripe events that carry this email, newest first' })}
    </section>
    <section aria-labelledby="at-a-glance">
      <h2 id="at-a-glance">At a glance</h2>
      <div class="cards">
        ${card('parked messages waiting', parkedTotal, '/parked')}
        ${card('webhook endpoints', data.endpoints.ok ? endpoints.length : '?', '/webhooks')}
        ${card('endpoints failing', data.endpoints.ok ? failing : '?', '/webhooks')}
        ${card('endpoints disabled', data.endpoints.ok ? disabled : '?', '/webhooks')}
      </div>
    </section>
    <section aria-labelledby="services">
      <h2 id="services">Services</h2>
      ${table({
        caption: 'Readiness of each service (its /readyz)',
        head: ['Service', 'State'],
        rows: services.map((s) => [s, badge(data.ready[s] ? 'ready' : 'unreachable')]),
      })}
    </section>
    ${stripeEventsByType(data.stripeStream)} ${consumerLag(data.consumers)}
    <section aria-labelledby="parked">
      <h2 id="parked">Parked messages</h2>
      ${table({
        caption: 'Messages a consumer gave up on, not replayed yet',
        head: ['Service', 'Consumer', 'Why', 'Count', 'Oldest'],
        rows: parkedRows,
        numeric: [3],
      })}
    </section>
    <section aria-labelledby="attention">
      <h2 id="attention">Webhook endpoints needing attention</h2>
      ${
        data.endpoints.ok
          ? table({
              caption: 'Disabled or failing endpoints',
              head: ['Endpoint', 'URL', 'State', 'Failing since', 'Last error'],
              rows: attention.map((e) => [
                link(href(['webhooks', 'endpoints', e.id]), e.id),
                html`<code>${displayUrl(e.url)}</code>`,
                html`${badge(e.status)} ${e.disabledReason ?? ''}`,
                when(e.failingSince),
                e.lastError ?? '–',
              ]),
              empty: 'Every endpoint is enabled and delivering.',
            })
          : html`<p class="error" role="alert">Endpoints unavailable (${data.endpoints.error}).</p>`
      }
    </section>`;
}
