import type { ServiceReplay } from '../routes/replay-result';
import { badge, csrfField, table } from './components';
import { html, type Html } from './html';

/** On one event's page: run it through orders' and licensing's Stripe consumers again. */
export function replayOneForm(eventId: string, csrf: string): Html {
  return html`<form method="post" action="/stripe-events/replay">
    <fieldset>
      <legend>Replay</legend>
      ${csrfField(csrf)}
      <input type="hidden" name="eventId" value="${eventId}" />
      <p id="replay-one-hint" class="muted">
        Orders and licensing read the stored event again and hand it to the same handlers; what was applied
        before is skipped, so nothing happens twice.
      </p>
      <button type="submit" class="primary" aria-describedby="replay-one-hint">
        Replay through the consumers
      </button>
    </fieldset>
  </form>`;
}

/** On a search by type: every stored event of that type created in a range (at most `limit`). */
export function replayMatchingForm(data: {
  type: string;
  customer: string;
  email: string;
  csrf: string;
  defaultSince: string;
}): Html {
  return html`<form method="post" action="/stripe-events/replay-matching">
    <fieldset>
      <legend>Replay every <code>${data.type}</code> event of a time range</legend>
      ${csrfField(data.csrf)}
      <input type="hidden" name="type" value="${data.type}" />
      <input type="hidden" name="customer" value="${data.customer}" />
      <input type="hidden" name="email" value="${data.email}" />
      <p class="muted">
        By Stripe’s creation time, oldest first, through orders’ and licensing’s consumers; the customer and
        email filters do not narrow it.
      </p>
      <p>
        <label for="replay-since">Created since (UTC)</label><br />
        <input type="datetime-local" id="replay-since" name="since" value="${data.defaultSince}" required />
      </p>
      <p>
        <label for="replay-until">Created before (UTC, optional)</label><br />
        <input type="datetime-local" id="replay-until" name="until" />
      </p>
      <p>
        <label for="replay-limit">At most this many events</label><br />
        <input type="number" id="replay-limit" name="limit" value="100" min="1" max="1000" required />
      </p>
      <button type="submit">Replay matching events</button>
    </fieldset>
  </form>`;
}

/** Asks the gateway for the Stripe events of a range that never reached the stream. */
export function reconcileForm(csrf: string, defaultSince: string): Html {
  return html`<section aria-labelledby="missed-events">
    <h2 id="missed-events">Missed events</h2>
    <form method="post" action="/stripe-events/reconcile">
      ${csrfField(csrf)}
      <p id="reconcile-hint" class="muted">
        The gateway lists Stripe’s events of the range (Stripe keeps 30 days) and stores those the stream
        lacks; the services then handle them as if Stripe had delivered them.
      </p>
      <p>
        <label for="reconcile-since">Look for missed Stripe events since (UTC)</label><br />
        <input
          type="datetime-local"
          id="reconcile-since"
          name="since"
          value="${defaultSince}"
          required
          aria-describedby="reconcile-hint"
        />
      </p>
      <p>
        <label for="reconcile-until">Until (UTC, optional: now)</label><br />
        <input type="datetime-local" id="reconcile-until" name="until" />
      </p>
      <button type="submit">Look for missed events</button>
    </form>
  </section>`;
}

/** What each service did with a replay, counted by consumer and outcome. */
export function replayResult(results: readonly ServiceReplay[]): Html {
  const rows = results.flatMap((r) =>
    'error' in r
      ? []
      : r.counts.map((c) => [r.service, html`<code>${c.consumer}</code>`, badge(c.outcome), c.events]),
  );
  return html`<section aria-labelledby="replay-result" class="notice">
    <h2 id="replay-result">Replay result</h2>
    <ul class="plain" role="status">
      ${results.map((r) =>
        'error' in r
          ? html`<li>${r.service}: not done (<code>${r.error}</code>)</li>`
          : html`<li>${r.service}: ${r.replayed} ${r.replayed === 1 ? 'event' : 'events'} run again</li>`,
      )}
    </ul>
    ${table({
      caption: 'Replay outcomes by service and consumer',
      head: ['Service', 'Consumer', 'Outcome', 'Events'],
      rows,
      numeric: [3],
      empty: 'No consumer ran an event.',
    })}
    <p class="muted">Each outcome, with its reason, is also written to the services’ handled-message logs.</p>
  </section>`;
}
