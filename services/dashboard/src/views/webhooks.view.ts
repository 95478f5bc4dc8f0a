import type { Attempt, Endpoint, WebhookMessage } from '../upstream/types';
import { actionButton, badge, csrfField, displayUrl, facts, href, link, table, when } from './components';
import { html, type Html } from './html';
import { messagesTable } from './orders.view';

export function endpointsView(endpoints: readonly Endpoint[]): Html {
  return html`<p>
      Endpoints are registered through the notifications API (<code>POST /webhooks/endpoints</code>).
    </p>
    ${table({
      caption: 'Webhook endpoints',
      head: ['Endpoint', 'URL', 'Events', 'State', 'Failing since', 'Last error'],
      rows: endpoints.map((e) => [
        link(href(['webhooks', 'endpoints', e.id]), html`<code>${e.id}</code>`),
        html`<code>${displayUrl(e.url)}</code
          >${e.description ? html`<br /><span class="muted">${e.description}</span>` : ''}`,
        e.events.join(', '),
        html`${badge(e.status)}${e.disabledReason ? ` (${e.disabledReason})` : ''}`,
        when(e.failingSince),
        e.lastError ?? '–',
      ]),
      empty: 'No webhook endpoint is registered.',
    })}`;
}

const STATUSES = ['pending', 'delivered', 'failed'] as const;

export function endpointView(data: {
  endpoint: Endpoint;
  messages: readonly WebhookMessage[];
  status: string | undefined;
  csrf: string;
  defaultSince: string;
}): Html {
  const e = data.endpoint;
  const base = href(['webhooks', 'endpoints', e.id]);
  const enabled = e.status === 'enabled';
  return html`${facts([
      ['URL', html`<code>${displayUrl(e.url)}</code>`],
      ['Description', e.description || '–'],
      ['Events', e.events.join(', ')],
      ['State', html`${badge(e.status)}${e.disabledReason ? ` (${e.disabledReason})` : ''}`],
      ['Disabled at', when(e.disabledAt)],
      ['Failing since', when(e.failingSince)],
      ['Last error', e.lastError],
      [
        'Secrets',
        e.secrets.map(
          (s) =>
            html`made ${when(s.createdAt)}${s.expiresAt ? html`, expires ${when(s.expiresAt)}` : ''}<br />`,
        ),
      ],
      ['Created', when(e.createdAt)],
    ])}
    <h2 id="actions">Actions</h2>
    ${
      enabled
        ? actionButton({ action: `${base}/disable`, label: 'Disable endpoint', csrf: data.csrf })
        : actionButton({
            action: `${base}/enable`,
            label: 'Enable endpoint',
            csrf: data.csrf,
            style: 'primary',
          })
    }
    ${actionButton({ action: `${base}/rotate-secret`, label: 'Rotate signing secret', csrf: data.csrf })}
    ${
      enabled
        ? html`<form method="post" action="${base}/replay">
            <fieldset>
              <legend>Replay failed messages</legend>
              ${csrfField(data.csrf)}
              <p>
                <label for="since">Created since (UTC)</label><br />
                <input type="datetime-local" id="since" name="since" value="${data.defaultSince}" required />
              </p>
              <p>
                <input type="checkbox" id="include-delivered" name="includeDelivered" value="yes" />
                <label for="include-delivered">Also send delivered messages again</label>
              </p>
              <button type="submit">Replay</button>
            </fieldset>
          </form>`
        : html`<p>Enable the endpoint to replay its messages.</p>`
    }
    <h2 id="messages">Messages</h2>
    <form class="search" method="get" action="${base}">
      <div>
        <label for="status">Status</label>
        <select id="status" name="status">
          <option value="">any</option>
          ${STATUSES.map((s) => html`<option value="${s}" ${s === data.status ? html` selected` : ''}>${s}</option>`)}
        </select>
      </div>
      <button type="submit">Show</button>
    </form>
    ${messagesTable(data.messages, 'Messages to this endpoint, newest first')}`;
}

export function rotatedView(data: { endpointId: string; secret: string; previousExpireAt: string[] }): Html {
  return html`<div class="secret" role="status">
      <p><strong>New signing secret</strong> (shown once; give it to the receiver now):</p>
      <p><code id="new-secret">${data.secret}</code></p>
      <p>
        ${
          data.previousExpireAt.length > 0
            ? html`Earlier secrets keep signing beside it until ${data.previousExpireAt.map((t) => when(t))}.`
            : 'No earlier secret signs any more.'
        }
      </p>
    </div>
    <p>${link(href(['webhooks', 'endpoints', data.endpointId]), 'Back to the endpoint')}</p>`;
}

export function messageView(data: {
  message: WebhookMessage & { attemptLog: Attempt[] };
  csrf: string;
}): Html {
  const m = data.message;
  return html`${facts([
      ['Event', m.event],
      ['Webhook id', html`<code>${m.eventId}</code>`],
      ['Endpoint', link(href(['webhooks', 'endpoints', m.endpointId]), html`<code>${m.endpointId}</code>`)],
      ['Status', badge(m.status)],
      ['Attempts', m.attempts],
      ['Next attempt', when(m.nextAttemptAt)],
      ['Delivered', when(m.deliveredAt)],
      ['Created', when(m.createdAt)],
    ])}
    ${actionButton({
      action: `${href(['webhooks', 'messages', m.id])}/replay`,
      label: 'Replay this message',
      csrf: data.csrf,
      style: 'primary',
    })}
    <h2 id="attempts">Attempts</h2>
    ${table({
      caption: 'Delivery attempts, first to last',
      head: ['#', 'Started', 'Outcome', 'HTTP status', 'Duration', 'Response or error'],
      rows: m.attemptLog.map((a) => [
        a.attempt,
        when(a.startedAt),
        badge(a.status),
        a.statusCode ?? '–',
        a.durationMs === null ? '–' : `${a.durationMs} ms`,
        a.error ?? (a.responseSnippet ? html`<code>${a.responseSnippet}</code>` : '–'),
      ]),
      numeric: [0, 3, 4],
      empty: 'No attempt yet.',
    })}
    <h2 id="payload">Body</h2>
    <details>
      <summary>Show the JSON body (may contain license keys)</summary>
      <pre>${JSON.stringify(m.payload, null, 2)}</pre>
    </details>`;
}
