import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EnvReader } from './config';
import { readExtraStripeAccounts } from './stripe-accounts';

const read = (env: Record<string, string>) => readExtraStripeAccounts(new EnvReader(env));
const eu = { secretKey: 'sk_test_eu', webhookSecrets: ['whsec_eu'] };

describe('readExtraStripeAccounts', () => {
  it('is empty without STRIPE_ACCOUNTS: a single-account deployment changes nothing', () => {
    expect(read({})).toEqual([]);
  });

  it('reads accounts by label from STRIPE_ACCOUNTS', () => {
    const accounts = read({
      STRIPE_ACCOUNTS: JSON.stringify({
        eu,
        'us-2': {
          secretKey: 'rk_live_us',
          webhookSecrets: ['whsec_a', 'whsec_b'],
          thinWebhookSecrets: ['whsec_t'],
        },
      }),
    });
    expect(accounts).toEqual([
      { label: 'eu', secretKey: 'sk_test_eu', webhookSecrets: ['whsec_eu'], thinWebhookSecrets: [] },
      {
        label: 'us-2',
        secretKey: 'rk_live_us',
        webhookSecrets: ['whsec_a', 'whsec_b'],
        thinWebhookSecrets: ['whsec_t'],
      },
    ]);
  });

  it('reads the same object from STRIPE_ACCOUNTS_FILE', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'accounts-')), 'accounts.json');
    writeFileSync(file, JSON.stringify({ eu }));
    expect(read({ STRIPE_ACCOUNTS_FILE: file }).map((a) => a.label)).toEqual(['eu']);
    expect(() => read({ STRIPE_ACCOUNTS_FILE: `${file}.missing` })).toThrow(
      /^STRIPE_ACCOUNTS_FILE: cannot be read/,
    );
  });

  it('names the variable and the label of what is wrong', () => {
    const accounts = (value: unknown) => ({ STRIPE_ACCOUNTS: JSON.stringify(value) });
    expect(() => read({ STRIPE_ACCOUNTS: '{eu' })).toThrow(/^STRIPE_ACCOUNTS: is not JSON/);
    expect(() => read(accounts([eu]))).toThrow('STRIPE_ACCOUNTS: must be a JSON object of accounts by label');
    expect(() => read(accounts({ EU: eu }))).toThrow(
      'STRIPE_ACCOUNTS: account "EU": the label must be 1 to 32 of a-z, 0-9 and -',
    );
    expect(() => read(accounts({ default: eu }))).toThrow(/account "default": is reserved/);
    expect(() => read(accounts({ eu: { ...eu, secretKey: 'pk_test_x' } }))).toThrow(
      /account "eu": secretKey must be a Stripe secret or restricted key/,
    );
    expect(() => read(accounts({ eu: { ...eu, webhookSecrets: [] } }))).toThrow(
      /account "eu": webhookSecrets must be a non-empty array/,
    );
    expect(() => read(accounts({ eu: { ...eu, thinWebhookSecrets: ['nope'] } }))).toThrow(
      /account "eu": thinWebhookSecrets: each secret must be a string starting with whsec_/,
    );
    expect(() => read(accounts({ eu: { ...eu, webhookSecret: 'whsec_x' } }))).toThrow(
      /account "eu": unknown field webhookSecret/,
    );
    expect(() => read({ STRIPE_ACCOUNTS: '{}', STRIPE_ACCOUNTS_FILE: 'x.json' })).toThrow(
      'STRIPE_ACCOUNTS: set either STRIPE_ACCOUNTS or STRIPE_ACCOUNTS_FILE, not both',
    );
  });
});
