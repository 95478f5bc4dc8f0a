import type { ServiceReplay } from '../routes/replay-result';
import type { ParkingService } from '../upstream/services';
import type { HandledMessage, StripeEventSummary } from '../upstream/types';
import { badge, href, link, table, when } from './components';
import { html, type Html } from './html';
import type { Result } from './orders.view';
import { reconcileForm, replayMatchingForm, replayOneForm, replayResult } from './stripe-replay.view';

/** The runner's outcomes in the words of this page. */
const OUTCOME: Record<HandledMessage['outcome'], string> = {
  done: 'applied',
  skipped: 'skipped',
  retry: 'retrying',
  parked: 'parked',
};

function handledTable(service: ParkingService, items: readonly HandledMessage[]): Html {
  return table({
    caption: `What ${service} handled for this event, oldest first`,
    head: ['Subject', 'Consumer', 'Outcome', 'Reason', 'Attempts', 'First', 'Last'],
    rows: items.map((m) => [
      html`<code>${m.subject}</code>`,
      html`<code>${m.consumer}</code>`,
      m.outcome === 'parked'
        ? link(href(['parked'], { service, consumer: m.consumer, all: 'yes' }), badge(OUTCOME.parked))
        : badge(OUTCOME[m.outcome]),
      m.reason ? html`<div class="anywhere">${m.reason}</div>` : '–',
      m.deliveryCount,
      when(m.firstAt),
      when(m.lastAt),
    ]),
    numeric: [4],
    empty: `Nothing handled by ${service} for this event.`,
  });
}

/** What the page was asked: an event id (`q`), or a search by type, customer and email. */
export interface StripeEventQuery {
  q: string;
  type: string;
  customer: string;
  email: string;
}

/** One Stripe event, as every Stripe-consuming service that answered handled it. */
export interface MergedStripeEvent {
  id: string;
  type: string;
  customer: string | null;
  email: string | null;
  createdAt: string;
  handled: Array<{ service: ParkingService; record: HandledMessage }>;
}

type Answer = { service: ParkingService; result: Result<StripeEventSummary[]> };

/**
 * The services' lists merged by event id, newest first (by Stripe's creation time, then id), at
 * most `limit`. Each service answered its newest `limit`, so the merged newest `limit` are among them.
 */
export function mergeStripeEvents(answers: readonly Answer[], limit: number): MergedStripeEvent[] {
  const byId = new Map<string, MergedStripeEvent>();
  for (const { service, result } of answers) {
    if (!result.ok) continue;
    for (const event of result.value) {
      const merged = byId.get(event.id) ?? {
        id: event.id,
        type: event.type,
        customer: event.customer,
        email: event.email,
        createdAt: event.createdAt,
        handled: [],
      };
      merged.handled.push(...event.consumers.map((record) => ({ service, record })));
      byId.set(event.id, merged);
    }
  }
  return [...byId.values()]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
    .slice(0, limit);
}

/** One form: an event id, or any of type, customer and email. */
function searchForm(query: StripeEventQuery): Html {
  const field = (id: string, name: keyof StripeEventQuery, label: string, hint: string, type = 'search') =>
    html`<div>
      <label for="${id}">${label}</label>
      <input type="${type}" id="${id}" name="${name}" value="${query[name]}" aria-describedby="${id}-hint" />
      <div id="${id}-hint" class="muted">${hint}</div>
    </div>`;
  return html`<form
    class="search"
    method="get"
    action="/stripe-events"
    role="search"
    aria-label="Stripe events"
  >
    ${field('stripe-event-q', 'q', 'Stripe event id', 'evt_…: what each service did with it')}
    ${field('stripe-event-type', 'type', 'Event type', 'e.g. checkout.session.completed')}
    ${field('stripe-event-customer', 'customer', 'Customer', 'A Stripe customer id (cus_…)')}
    ${field('stripe-event-email', 'email', 'Email', 'The customer’s email', 'email')}
    <button type="submit" class="primary">Search</button>
  </form>`;
}

const FIELD_NAMES: Record<string, string> = { type: 'event type', customer: 'customer id', email: 'email' };

function resultList(events: readonly MergedStripeEvent[]): Html {
  return table({
    caption: 'Stripe events found, newest first',
    head: ['Event', 'Type', 'Customer', 'Email', 'Created', 'What the services did'],
    rows: events.map((e) => [
      link(href(['stripe-events'], { q: e.id }), html`<code>${e.id}</code>`),
      html`<code>${e.type}</code>`,
      e.customer ? html`<code>${e.customer}</code>` : '–',
      e.email ?? '–',
      when(e.createdAt),
      html`<ul class="plain">
        ${e.handled.map(
          ({ service, record }) =>
            html`<li>${service} <code>${record.consumer}</code> ${badge(OUTCOME[record.outcome])}</li>`,
        )}
      </ul>`,
    ]),
    empty: 'No Stripe event handled by orders or licensing matches.',
  });
}

/** What the page's action forms need, and a replay's result after its redirect. */
export interface StripeEventActions {
  csrf: string;
  /** A datetime-local value (UTC) the time-range forms start at. */
  defaultSince: string;
  replayed: readonly ServiceReplay[] | undefined;
}

export function stripeEventView(data: {
  query: StripeEventQuery;
  actions: StripeEventActions;
  detail?: {
    valid: boolean;
    services: ReadonlyArray<{ service: ParkingService; result: Result<HandledMessage[]> | undefined }>;
  };
  list?: { invalid: string } | { answers: readonly Answer[]; events: readonly MergedStripeEvent[] };
}): Html {
  const { query, actions } = data;
  const form = searchForm(query);
  const replayed = actions.replayed ? replayResult(actions.replayed) : '';
  if (data.list && 'invalid' in data.list) {
    return html`${form}
      <p role="status">Not a valid ${FIELD_NAMES[data.list.invalid] ?? data.list.invalid}.</p>`;
  }
  if (data.list) {
    const failed = data.list.answers.filter((a) => !a.result.ok);
    return html`${form}
    ${failed.map(
      (a) =>
        html`<p class="error" role="alert">
          ${a.service}: unavailable (${a.result.ok ? '' : a.result.error}).
        </p>`,
    )}
    ${replayed} ${resultList(data.list.events)}
    ${query.type ? replayMatchingForm({ ...query, ...actions }) : ''}`;
  }
  if (!data.detail) return html`${form}${reconcileForm(actions.csrf, actions.defaultSince)}`;
  if (!data.detail.valid)
    return html`${form}
      <p role="status">Not a Stripe event id: <code>${query.q}</code>.</p>`;
  const services = data.detail.services;
  const known = services.some((s) => s.result?.ok && s.result.value.length > 0);
  const unanswered = services.some((s) => s.result && !s.result.ok);
  if (!known && !unanswered) {
    return html`${form}
      <p role="status">No service knows the Stripe event <code>${query.q}</code>.</p>`;
  }
  return html`${form} ${replayed}
    <h2>Stripe event <code>${query.q}</code></h2>
    ${replayOneForm(query.q, actions.csrf)}
    ${services.map(
      ({ service, result }) =>
        html`<section aria-labelledby="handled-${service}">
          <h3 id="handled-${service}">${service}</h3>
          ${
            !result || !result.ok
              ? html`<p role="alert">Unavailable (${result?.error ?? 'not asked'}).</p>`
              : handledTable(service, result.value)
          }
        </section>`,
    )}`;
}
