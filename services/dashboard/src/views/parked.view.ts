import type { ParkingService } from '../upstream/services';
import type { ParkedMessage } from '../upstream/types';
import { actionButton, badge, csrfField, href, table, when } from './components';
import { html, type Html } from './html';

export const PARK_KINDS = ['invalid', 'permanent', 'bug', 'exhausted'] as const;

const WHY: Record<string, string> = {
  invalid: 'not JSON, or breaks its contract',
  permanent: 'can never apply (a PermanentError)',
  bug: 'threw on every attempt',
  exhausted:
    'kept failing for its whole retry period; replayed by the service on its own, less and less often',
};

export function parkedView(data: {
  services: readonly ParkingService[];
  service: ParkingService;
  counts: Record<ParkingService, number | null>;
  filter: { consumer?: string; kind?: string; all: boolean };
  items: readonly ParkedMessage[];
  csrf: string;
}): Html {
  const { service, filter } = data;
  return html`<nav aria-label="Services">
      <ul>
        ${data.services.map(
          (s) =>
            html`<li>
              <a href="${href(['parked'], { service: s })}" ${s === service ? html` aria-current="page"` : ''}
                >${s}</a
              >
              (${data.counts[s] ?? 'unavailable'} waiting)
            </li>`,
        )}
      </ul>
    </nav>
    <h2 id="list">${service}: ${filter.all ? 'all parked messages' : 'waiting for a replay'}</h2>
    <form class="search" method="get" action="/parked">
      <input type="hidden" name="service" value="${service}" />
      <div>
        <label for="consumer">Consumer</label>
        <input type="text" id="consumer" name="consumer" value="${filter.consumer ?? ''}" />
      </div>
      <div>
        <label for="kind">Why parked</label>
        <select id="kind" name="kind">
          <option value="">any</option>
          ${PARK_KINDS.map((k) => html`<option value="${k}" ${k === filter.kind ? html` selected` : ''}>${k}</option>`)}
        </select>
      </div>
      <div>
        <input type="checkbox" id="all" name="all" value="yes" ${filter.all ? html` checked` : ''} />
        <label for="all" class="inline-label">Include replayed</label>
      </div>
      <button type="submit">Show</button>
    </form>
    <dl class="facts">
      ${PARK_KINDS.map(
        (k) =>
          html`<dt>${k}</dt>
            <dd>${WHY[k]}</dd>`,
      )}
    </dl>
    <form method="post" action="${href(['parked', service, 'replay'])}">
      ${csrfField(data.csrf)}
      <input type="hidden" name="consumer" value="${filter.consumer ?? ''}" />
      <input type="hidden" name="kind" value="${filter.kind ?? ''}" />
      <button type="submit" class="primary">Replay every waiting message that matches (up to 100)</button>
    </form>
    ${table({
      caption: `Parked messages of ${service}, newest first`,
      head: [
        'Parked',
        'Consumer and subject',
        'Why',
        'Reason and message',
        'Deliveries',
        'Replayed',
        'Action',
      ],
      rows: data.items.map((m) => [
        when(m.parkedAt),
        html`<code>${m.consumer}</code><br /><code>${m.subject}</code>`,
        badge(m.kind),
        html`<div class="anywhere">${m.reason}</div>
          <details>
            <summary>The message</summary>
            <pre>${m.data.slice(0, 4000)}</pre>
          </details>`,
        m.deliveryCount,
        m.replayedAt ? html`${when(m.replayedAt)} (${m.replayResult ?? '?'})` : 'not yet',
        m.replayedAt
          ? '–'
          : actionButton({
              action: href(['parked', service, m.id, 'replay']),
              label: 'Replay',
              csrf: data.csrf,
            }),
      ]),
      numeric: [4],
      empty: 'Nothing parked here.',
    })}`;
}
