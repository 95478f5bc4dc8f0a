import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ORDER_CONFIRMED_V1, ORDER_LICENSED_V1 } from '@billing/contracts';
import { createLogger } from '@billing/runtime';
import {
  licenseSummary,
  orderConfirmed,
  orderLicensed,
  orderSnapshot,
  rand,
  waitFor,
} from '@billing/testkit';
import { buildNotificationsService } from '../../src/app';
import { runPreview } from '../../src/preview';
import { useNotifications } from './harness';

jest.setTimeout(30_000);

describe('template overrides and the preview command', () => {
  const overrideDir = mkdtempSync(path.join(os.tmpdir(), 'notifications-templates-'));
  writeFileSync(
    path.join(overrideDir, 'purchase-confirmation.subject.hbs'),
    '{{brand.name}} receipt #{{orderId}}',
  );
  writeFileSync(
    path.join(overrideDir, 'purchase-confirmation.html.hbs'),
    '<p class="custom">Thanks {{customerName}}!</p>{{#each licenses}}<pre>{{key}}</pre>{{/each}}',
  );
  const h = useNotifications({ env: { NOTIFICATIONS_TEMPLATE_DIR: overrideDir } });

  it('sends emails from the override folder, falling back to the built-in files it does not replace', async () => {
    const email = `custom-${rand(4)}@example.com`;
    const order = orderSnapshot({ customerEmail: email });
    const lic = licenseSummary(order);
    await h.publishEnvelope(ORDER_CONFIRMED_V1, orderConfirmed(order));
    await h.publishEnvelope(ORDER_LICENSED_V1, orderLicensed(order, [lic]));
    const mail = await waitFor(() => h.smtp.messages.find((m) => m.envelopeTo.includes(email)), {
      what: 'email',
    });
    expect(mail.parsed.subject).toBe(`Acme receipt #${order.orderId}`);
    expect(mail.parsed.html).toContain(`<p class="custom">Thanks Ada Lovelace!</p><pre>${lic.key}</pre>`);
    // The shared layout and the built-in text part still apply.
    expect(mail.parsed.html).toContain('mailto:support@acme.example');
    expect(mail.parsed.text).toContain(`${lic.key} (valid until March 5, 2027)`);
  });

  it('refuses to start with an override that does not render', async () => {
    const broken = mkdtempSync(path.join(os.tmpdir(), 'notifications-broken-'));
    writeFileSync(path.join(broken, 'refund-confirmed.text.hbs'), 'Refunded {{amont}}');
    await expect(
      buildNotificationsService({
        config: { ...h.config, email: { ...h.config.email, templateOverrideDir: broken } },
        logger: createLogger({ service: 'broken', version: 'test', level: 'silent' }),
        infra: h.infra,
      }),
    ).rejects.toThrow(/refund-confirmed\.text\.hbs: "amont" not defined/);
  });

  it('renders any template with sample data to a file without sending', async () => {
    const sentBefore = h.smtp.messages.length;
    const out = path.join(overrideDir, 'preview.html');
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    expect(runPreview(['purchase-confirmation', '--out', out, '--template-dir', overrideDir], {}, io)).toBe(
      0,
    );
    expect(readFileSync(out, 'utf8')).toContain(
      '<p class="custom">Thanks Ada Lovelace!</p><pre>ACME-PRO-SAMPLE-KEY-0001</pre>',
    );
    expect(lines.join('')).toContain('subject: Acme Software receipt #ord_sample_123');

    const textOut = path.join(overrideDir, 'failed.txt');
    expect(runPreview(['payment-failed', '--out', textOut], { BRAND_NAME: 'Initech' }, io)).toBe(0);
    expect(readFileSync(textOut, 'utf8')).toContain('Why: Your card has insufficient funds.');
    expect(readFileSync(textOut, 'utf8')).toContain('Initech');

    const data = path.join(overrideDir, 'data.json');
    writeFileSync(data, JSON.stringify({ previousTier: 'TEAM', tier: 'FREE', isSubscription: true }));
    lines.length = 0;
    expect(runPreview(['subscription-ended', '--data', data, '--part', 'subject'], {}, io)).toBe(0);
    expect(lines.join('')).toBe('Your Acme Software TEAM subscription has ended\n');

    expect(runPreview(['no-such-template'], {}, io)).toBe(2);
    expect(h.smtp.messages.length).toBe(sentBefore);
  });
});
