import type { ParkingService } from '../upstream/services';
import type { HandledMessage } from '../upstream/types';
import { badge, href, link, searchForm, table, when } from './components';
import { html, type Html } from './html';
import type { Result } from './orders.view';

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

export function stripeEventView(data: {
  q: string;
  searched: boolean;
  valid: boolean;
  services: ReadonlyArray<{ service: ParkingService; result: Result<HandledMessage[]> | undefined }>;
}): Html {
  const form = searchForm({
    action: '/stripe-events',
    id: 'stripe-event-q',
    label: 'Stripe event id',
    value: data.q,
    hint: 'An event id (evt_…) shows what each service did with it and with the domain events it caused.',
  });
  if (!data.searched) return form;
  if (!data.valid)
    return html`${form}
      <p role="status">Not a Stripe event id: <code>${data.q}</code>.</p>`;
  const known = data.services.some((s) => s.result?.ok && s.result.value.length > 0);
  const unanswered = data.services.some((s) => s.result && !s.result.ok);
  if (!known && !unanswered) {
    return html`${form}
      <p role="status">No service knows the Stripe event <code>${data.q}</code>.</p>`;
  }
  return html`${form}
    <h2>Stripe event <code>${data.q}</code></h2>
    ${data.services.map(
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
