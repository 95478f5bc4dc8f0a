import { html, type Fragment, type Html } from './html';

/** Every form of a signed-in page carries the session's CSRF token. */
export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="csrf" value="${csrf}" />`;
}

/** A POST button (a form of its own, so it works without JavaScript). */
export function actionButton(options: {
  action: string;
  label: string;
  csrf: string;
  fields?: Record<string, string>;
  style?: 'primary' | 'danger';
}): Html {
  const fields = Object.entries(options.fields ?? {}).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
  );
  return html`<form class="inline" method="post" action="${options.action}">
    ${csrfField(options.csrf)}${fields}<button type="submit" class="${options.style ?? ''}">
      ${options.label}
    </button>
  </form>`;
}

/** A data table with a caption and column headers; `empty` when there are no rows. */
export function table(options: {
  caption: string;
  head: readonly string[];
  rows: readonly Fragment[][];
  empty?: string;
  numeric?: readonly number[];
}): Html {
  if (options.rows.length === 0)
    return html`<p class="muted">${options.empty ?? `No ${options.caption.toLowerCase()}.`}</p>`;
  const numeric = new Set(options.numeric ?? []);
  const cls = (i: number) => (numeric.has(i) ? 'num' : '');
  return html`<div class="table-wrap">
    <table>
      <caption>
        ${options.caption}
      </caption>
      <thead>
        <tr>
          ${options.head.map((h, i) => html`<th scope="col" class="${cls(i)}">${h}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${options.rows.map(
          (row) =>
            html`<tr>
              ${row.map((cell, i) => html`<td class="${cls(i)}">${cell}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** Label / value pairs. */
export function facts(pairs: ReadonlyArray<readonly [string, Fragment]>): Html {
  return html`<dl class="facts">
    ${pairs.map(
      ([label, value]) =>
        html`<dt>${label}</dt>
          <dd>${value ?? '–'}</dd>`,
    )}
  </dl>`;
}

const GOOD = new Set([
  'active',
  'confirmed',
  'paid',
  'delivered',
  'succeeded',
  'sent',
  'enabled',
  'ready',
  'done',
  'applied',
  'caught up',
  'VALID',
]);
const BAD = new Set([
  'revoked',
  'failed',
  'payment_failed',
  'disabled',
  'cancelled',
  'refunded',
  'unreachable',
  'missing',
  'bug',
  'invalid',
]);

/** A status as text in a coloured outline (the word carries the meaning, not the colour). */
export function badge(status: string | null | undefined): Html {
  if (!status) return html`<span class="badge badge-neutral">none</span>`;
  const kind = GOOD.has(status) ? 'ok' : BAD.has(status) ? 'bad' : 'warn';
  return html`<span class="badge badge-${kind}">${status.replace(/_/g, ' ')}</span>`;
}

/** A point in time, shown in UTC to the minute, machine-readable in `datetime`. */
export function when(iso: string | null | undefined): Html | string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return html`<time datetime="${date.toISOString()}"
    >${date.toISOString().slice(0, 16).replace('T', ' ')} UTC</time
  >`;
}

/** Minor units as money (`4900`, `usd` → `$49.00`). */
export function money(amount: number | null | undefined, currency: string): string {
  if (amount === null || amount === undefined) return '–';
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amount / 10 ** digits);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** A GET search form with a visible label. */
export function searchForm(options: {
  action: string;
  id: string;
  label: string;
  /** The query parameter (default `q`). */
  name?: string;
  value?: string;
  hint?: string;
}): Html {
  const hintId = `${options.id}-hint`;
  return html`<form class="search" method="get" action="${options.action}" role="search">
    <div>
      <label for="${options.id}">${options.label}</label>
      <input
        type="search"
        id="${options.id}"
        name="${options.name ?? 'q'}"
        value="${options.value ?? ''}"
        required
        ${options.hint ? html`aria-describedby="${hintId}"` : ''}
      />
      ${options.hint ? html`<div id="${hintId}" class="muted">${options.hint}</div>` : ''}
    </div>
    <button type="submit" class="primary">Search</button>
  </form>`;
}

/** A link into the dashboard. */
export function link(href: string, text: Fragment): Html {
  return html`<a href="${href}">${text}</a>`;
}

/** Path segments encoded for links (`href(['orders', id])` → `/orders/ord_%2F`). */
export function href(segments: readonly string[], params?: Record<string, string | undefined>): string {
  const base = `/${segments.map(encodeURIComponent).join('/')}`;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `${base}?${text}` : base;
}

/** An endpoint URL without the password it may carry for basic auth. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
