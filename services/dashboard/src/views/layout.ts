import { csrfField } from './components';
import { html, type Fragment, type Html } from './html';

export type Section = 'overview' | 'orders' | 'licenses' | 'webhooks' | 'stripe-events' | 'parked';

const NAV: ReadonlyArray<readonly [Section, string, string]> = [
  ['overview', '/', 'Overview'],
  ['orders', '/orders', 'Orders & customers'],
  ['licenses', '/licenses', 'Licenses'],
  ['webhooks', '/webhooks', 'Webhooks'],
  ['stripe-events', '/stripe-events', 'Stripe events'],
  ['parked', '/parked', 'Parked messages'],
];

/**
 * What a finished action says on the page it redirects to (`?done=<key>`). Only these fixed
 * texts are shown, so a crafted link cannot put words on the page.
 */
export const NOTICES = {
  signed_in: 'Signed in.',
  license_suspend: 'License suspended.',
  license_reinstate: 'License reinstated.',
  license_revoke: 'License revoked.',
  message_replayed: 'The message is queued for delivery again.',
  endpoint_enabled: 'Endpoint enabled.',
  endpoint_disabled: 'Endpoint disabled; its pending messages are stopped.',
  endpoint_replayed: 'Failed messages since then are queued for delivery again.',
  parked_replayed: 'Parked message replayed.',
  parked_replayed_all: 'Parked messages replayed.',
  stripe_reconciled: 'Looked for missed Stripe events:',
} as const;
export type NoticeKey = keyof typeof NOTICES;

export interface PageOptions {
  title: string;
  section: Section;
  csrf: string;
  body: Fragment;
  /** From `?done=`. */
  notice?: string;
  /** From `?failed=` (an error code) and `?by=` (who refused). */
  failure?: { code: string; service: string };
  /** Extra text after the notice (e.g. replay counts), already checked by the route. */
  detail?: string;
}

function document(title: string, content: Fragment): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Billing operations</title>
        <link rel="stylesheet" href="/static/dashboard.css" />
      </head>
      <body>
        ${content}
      </body>
    </html>`;
}

/** A signed-in page: skip link, main navigation, sign-out, messages, one h1. */
export function page(options: PageOptions): Html {
  const notice =
    options.notice && options.notice in NOTICES ? NOTICES[options.notice as NoticeKey] : undefined;
  return document(
    options.title,
    html`<a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand">Billing operations</span>
        <nav aria-label="Main">
          <ul>
            ${NAV.map(
              ([section, to, label]) =>
                html`<li>
                  <a href="${to}" ${section === options.section ? html` aria-current="page"` : ''}
                    >${label}</a
                  >
                </li>`,
            )}
          </ul>
        </nav>
        <form method="post" action="/logout">
          ${csrfField(options.csrf)}<button type="submit">Sign out</button>
        </form>
      </header>
      <main id="main" tabindex="-1">
        ${notice ? html`<div class="notice" role="status">${notice}${options.detail ? ` ${options.detail}` : ''}</div>` : ''}
        ${
          options.failure
            ? html`<div class="error" role="alert">
                Not done: ${options.failure.service} answered <code>${options.failure.code}</code>.
              </div>`
            : ''
        }
        <h1>${options.title}</h1>
        ${options.body}
      </main>`,
  );
}

/** The sign-in page (no navigation: nothing else is reachable before it). */
export function loginPage(options: { csrf: string; next: string; error?: string }): Html {
  return document(
    'Sign in',
    html`<main id="main" class="login">
      <h1>Billing operations</h1>
      ${options.error ? html`<div class="error" role="alert">${options.error}</div>` : ''}
      <form class="stack" method="post" action="/login">
        <input type="hidden" name="csrf" value="${options.csrf}" />
        <input type="hidden" name="next" value="${options.next}" />
        <div>
          <label for="token">Admin token</label>
          <input
            type="password"
            id="token"
            name="token"
            autocomplete="current-password"
            required
            autofocus
            aria-describedby="token-hint"
          />
          <div id="token-hint" class="muted">The <code>ADMIN_API_TOKEN</code> of this deployment.</div>
        </div>
        <div><button type="submit" class="primary">Sign in</button></div>
      </form>
    </main>`,
  );
}

/** A page for something that went wrong while showing a page (a 404, a service down). */
export function problemPage(options: { title: string; message: Fragment; csrf?: string }): Html {
  if (options.csrf === undefined) {
    return document(
      options.title,
      html`<main id="main">
        <h1>${options.title}</h1>
        <p>${options.message}</p>
      </main>`,
    );
  }
  return page({
    title: options.title,
    section: 'overview',
    csrf: options.csrf,
    body: html`<p>${options.message}</p>
      <p><a href="/">Back to the overview</a></p>`,
  });
}
