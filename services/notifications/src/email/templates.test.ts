import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILT_IN_TEMPLATE_DIR } from '../paths';
import { describeFailure } from './decline-reasons';
import { formatDate, formatMoney } from './format';
import { SAMPLE_BRAND, SAMPLE_MODELS } from './samples';
import { TEMPLATE_NAMES } from './template-models';
import { TemplateRenderer } from './templates';

const builtIn = () => new TemplateRenderer({ builtInDir: BUILT_IN_TEMPLATE_DIR, overrideDir: null });

describe('email templates', () => {
  it.each(TEMPLATE_NAMES)('%s renders a subject, an HTML part in the layout and a text part', (name) => {
    const email = builtIn().render(name, SAMPLE_MODELS[name], SAMPLE_BRAND);
    expect(email.subject.length).toBeGreaterThan(5);
    expect(email.subject).not.toMatch(/\n/);
    expect(email.html).toMatch(/^<!doctype html>/);
    expect(email.html).toContain(`<title>${email.subject.replace(/&/g, '&amp;')}</title>`);
    expect(email.html).toContain('mailto:support@acme.example');
    expect(email.text).toContain('Questions? Reply to this email or write to support@acme.example.');
    expect(email.text).not.toMatch(/<[a-z]+[ >]/);
  });

  it('puts the order summary, download links and license keys in the purchase confirmation', () => {
    const email = builtIn().render(
      'purchase-confirmation',
      SAMPLE_MODELS['purchase-confirmation'],
      SAMPLE_BRAND,
    );
    expect(email.subject).toBe('Your Acme Software order ord_sample_123 is confirmed');
    for (const part of [email.html, email.text]) {
      expect(part).toContain('Pro license (1 year)');
      expect(part).toContain('$98.00');
      expect(part).toContain('https://downloads.acme.example/pro/latest');
      expect(part).toContain('ACME-PRO-SAMPLE-KEY-0001');
      expect(part).toContain('March 5, 2027');
    }
    expect(email.html).toContain('<a href="https://downloads.acme.example/pro/latest">');
  });

  it('escapes customer data in HTML but not in the text part', () => {
    const model = {
      ...SAMPLE_MODELS['purchase-confirmation'],
      customerName: 'Eve <script>alert(1)</script> & co',
    };
    const email = builtIn().render('purchase-confirmation', model, SAMPLE_BRAND);
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('Eve &lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(email.text).toContain('Hi Eve <script>alert(1)</script> & co,');
  });

  it('leaves out the account link when no ACCOUNT_URL is configured', () => {
    const email = builtIn().render('payment-failed', SAMPLE_MODELS['payment-failed'], {
      ...SAMPLE_BRAND,
      accountUrl: null,
    });
    expect(email.html).not.toContain('Update your payment method</a>');
    expect(email.text).not.toContain('Manage your account');
    expect(email.text).toContain('Why: Your card has insufficient funds.');
  });

  it('words tier emails without "subscription" when a one-time license changed the tier', () => {
    const r = builtIn();
    const unlocked = r.render(
      'subscription-confirmed',
      { ...SAMPLE_MODELS['subscription-confirmed'], isSubscription: false },
      SAMPLE_BRAND,
    );
    expect(unlocked.text).toContain('You now have PRO.');
    expect(unlocked.text).not.toContain('subscription');
    const ended = r.render(
      'subscription-ended',
      { previousTier: 'PRO', tier: 'FREE', isSubscription: false },
      SAMPLE_BRAND,
    );
    expect(ended.subject).toBe('Your Acme Software PRO access has ended');
    expect(ended.text).not.toContain('subscription');
    const subscribed = r.render('subscription-ended', SAMPLE_MODELS['subscription-ended'], SAMPLE_BRAND);
    expect(subscribed.subject).toBe('Your Acme Software PRO subscription has ended');
  });

  it('uses override files one by one and keeps the built-in ones for the rest', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tpl-'));
    writeFileSync(path.join(dir, 'refund-confirmed.subject.hbs'), 'Money back: {{money amount currency}}');
    const renderer = new TemplateRenderer({ builtInDir: BUILT_IN_TEMPLATE_DIR, overrideDir: dir });
    const email = renderer.render('refund-confirmed', SAMPLE_MODELS['refund-confirmed'], SAMPLE_BRAND);
    expect(email.subject).toBe('Money back: $25.00');
    expect(email.text).toContain('We refunded $25.00 for order ord_sample_123');
    expect(renderer.fileOf('refund-confirmed.subject.hbs')).toBe(
      path.join(dir, 'refund-confirmed.subject.hbs'),
    );
    expect(renderer.fileOf('refund-confirmed.html.hbs')).toBe(
      path.join(BUILT_IN_TEMPLATE_DIR, 'refund-confirmed.html.hbs'),
    );
  });

  it('fails on a field the model does not have (strict mode), naming the file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tpl-'));
    writeFileSync(path.join(dir, 'subscription-ended.text.hbs'), 'Bye {{customerNmae}}');
    const renderer = new TemplateRenderer({ builtInDir: BUILT_IN_TEMPLATE_DIR, overrideDir: dir });
    expect(() => renderer.verifyAll()).toThrow(/subscription-ended\.text\.hbs: "customerNmae" not defined/);
  });

  it('formats money by the currency minor unit, and dates in UTC', () => {
    expect(formatMoney(4900, 'usd')).toBe('$49.00');
    expect(formatMoney(500, 'jpy')).toBe('¥500');
    expect(formatMoney(1234, 'eur')).toBe('€12.34');
    expect(formatMoney(100, 'zzzz')).toBe('1.00 ZZZZ');
    expect(formatDate('2026-03-05T23:30:00-05:00')).toBe('March 6, 2026');
    expect(formatDate(null)).toBe('');
  });
});

describe('describeFailure', () => {
  it('explains decline codes in plain words, falling back to the error code, then to a generic reason', () => {
    expect(describeFailure({ code: 'card_declined', declineCode: 'insufficient_funds' }).reason).toBe(
      'Your card has insufficient funds.',
    );
    expect(describeFailure({ code: 'expired_card', declineCode: null }).reason).toBe(
      'Your card has expired.',
    );
    expect(describeFailure({ code: 'card_declined', declineCode: 'stolen_card' }).reason).toBe(
      'Your bank declined the payment.',
    );
    expect(describeFailure({ code: null, declineCode: 'constructor' }).reason).toBe(
      'Your bank declined the payment.',
    );
  });
});
