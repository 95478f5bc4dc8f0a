import type { License, Machine } from '../upstream/types';
import { actionButton, badge, csrfField, facts, href, link, searchForm, table, when } from './components';
import { html, type Html } from './html';
import { licensesTable } from './orders.view';

export function licensesSearchView(q: string, found: License[] | null): Html {
  return html`${searchForm({
    action: '/licenses',
    id: 'license-q',
    label: 'Email or license id',
    value: q,
    hint: 'An email address lists the customer’s licenses; a license id (lic_…) opens the license.',
  })}
  ${found === null && q ? html`<p role="status">No license <code>${q}</code>.</p>` : ''}
  ${found ? licensesTable(found) : ''}`;
}

export function licenseView(data: { license: License; machines: Machine[]; csrf: string }): Html {
  const l = data.license;
  const base = href(['licenses', l.licenseId]);
  const revoked = l.status === 'revoked';
  return html`${facts([
      ['Status', html`${badge(l.status)}${l.revokeReason ? ` (${l.revokeReason.replace(/_/g, ' ')})` : ''}`],
      ['Product', `${l.productName} (${l.productSku})`],
      ['Tier', l.tier],
      ['Customer', link(href(['customers', l.customerEmail]), l.customerEmail)],
      ['Order', link(href(['orders', l.orderId]), html`<code>${l.orderId}</code>`)],
      ['Subscription', l.subscriptionId ? html`<code>${l.subscriptionId}</code>` : '–'],
      ['Issued', when(l.issuedAt)],
      ['Expires', l.expiresAt ? when(l.expiresAt) : 'never'],
      [
        'Key',
        html`<details>
          <summary>Show the license key</summary>
          <code class="license-key">${l.key}</code>
        </details>`,
      ],
    ])}
    <h2 id="actions">Actions</h2>
    ${
      revoked
        ? html`<p>Revoked licenses stay revoked; nothing reinstates them.</p>`
        : html`<p>Each change is announced to the customer’s systems as a <code>license.*</code> webhook.</p>
            ${
              l.status === 'suspended'
                ? actionButton({
                    action: `${base}/reinstate`,
                    label: 'Reinstate',
                    csrf: data.csrf,
                    style: 'primary',
                  })
                : actionButton({ action: `${base}/suspend`, label: 'Suspend', csrf: data.csrf })
            }
            <form method="post" action="${base}/revoke">
              <fieldset>
                <legend>Revoke for good</legend>
                ${csrfField(data.csrf)}
                <p>
                  <input type="checkbox" id="confirm-revoke" name="confirm" value="yes" required />
                  <label for="confirm-revoke"
                    >I understand that a revoked license can never be used again.</label
                  >
                </p>
                <button type="submit" class="danger">Revoke license</button>
              </fieldset>
            </form>`
    }
    <h2 id="machines">Machines</h2>
    ${table({
      caption: 'Activated machines (seats)',
      head: ['Seat', 'Name', 'Fingerprint', 'Activated'],
      rows: data.machines.map((m) => [
        m.slot,
        m.name ?? '–',
        html`<code>${m.fingerprint}</code>`,
        when(m.activatedAt),
      ]),
      numeric: [0],
      empty: 'No machine is activated on this license.',
    })}`;
}
