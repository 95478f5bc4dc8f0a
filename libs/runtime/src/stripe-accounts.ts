import { readFileSync } from 'node:fs';
import { BILLING_ACCOUNT_PATTERN, DEFAULT_BILLING_ACCOUNT } from '@billing/contracts';
import { ConfigError, type EnvReader } from './config';

/** One Stripe account this deployment serves, under its label. */
export interface StripeAccount {
  label: string;
  /**
   * Its API key. Unset only for the default account of a gateway without STRIPE_SECRET_KEY; every
   * account of STRIPE_ACCOUNTS has one.
   */
  secretKey?: string;
  /** Secrets of its snapshot webhook endpoints (several while one is rolled). */
  webhookSecrets: readonly string[];
  /** Secrets of its event destinations with thin payloads; may be empty. */
  thinWebhookSecrets: readonly string[];
}

const LABEL = new RegExp(BILLING_ACCOUNT_PATTERN);

/**
 * The accounts besides the default one, from STRIPE_ACCOUNTS (a JSON object) or
 * STRIPE_ACCOUNTS_FILE (the path of a JSON file with the same object):
 * `{ "<label>": { "secretKey": "sk_...", "webhookSecrets": ["whsec_..."], "thinWebhookSecrets": [] } }`.
 * Labels are lowercase `[a-z0-9-]{1,32}`; `default` is the account of STRIPE_SECRET_KEY /
 * STRIPE_WEBHOOK_SECRET and cannot be given here. Neither set: no other account.
 */
export function readExtraStripeAccounts(reader: EnvReader): StripeAccount[] {
  const inline = reader.raw('STRIPE_ACCOUNTS');
  const file = reader.raw('STRIPE_ACCOUNTS_FILE');
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError('STRIPE_ACCOUNTS', 'set either STRIPE_ACCOUNTS or STRIPE_ACCOUNTS_FILE, not both');
  }
  if (inline === undefined && file === undefined) return [];
  const variable = inline !== undefined ? 'STRIPE_ACCOUNTS' : 'STRIPE_ACCOUNTS_FILE';
  const text = inline ?? readAccountsFile(file as string);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(variable, `is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(variable, 'must be a JSON object of accounts by label');
  }
  return Object.entries(parsed).map(([label, value]) => readAccount(variable, label, value));
}

function readAccountsFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('STRIPE_ACCOUNTS_FILE', `cannot be read: ${(err as Error).message}`);
  }
}

function readAccount(variable: string, label: string, value: unknown): StripeAccount {
  const fail = (message: string) => new ConfigError(variable, `account "${label}": ${message}`);
  if (!LABEL.test(label)) throw fail('the label must be 1 to 32 of a-z, 0-9 and -');
  if (label === DEFAULT_BILLING_ACCOUNT) {
    throw fail('is reserved for STRIPE_SECRET_KEY / STRIPE_WEBHOOK_SECRET: choose another label');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail('must be an object with secretKey and webhookSecrets');
  }
  const { secretKey, webhookSecrets, thinWebhookSecrets, ...unknown } = value as Record<string, unknown>;
  const extra = Object.keys(unknown);
  if (extra.length > 0) throw fail(`unknown field ${extra.join(', ')}`);
  if (typeof secretKey !== 'string' || !/^(sk|rk)_/.test(secretKey)) {
    throw fail('secretKey must be a Stripe secret or restricted key (sk_... or rk_...)');
  }
  return {
    label,
    secretKey,
    webhookSecrets: secrets(webhookSecrets, 'webhookSecrets', fail, true),
    thinWebhookSecrets: secrets(thinWebhookSecrets, 'thinWebhookSecrets', fail, false),
  };
}

function secrets(
  value: unknown,
  field: string,
  fail: (message: string) => Error,
  required: boolean,
): string[] {
  if (value === undefined && !required) return [];
  if (!Array.isArray(value) || (required && value.length === 0)) {
    throw fail(`${field} must be ${required ? 'a non-empty' : 'an'} array of whsec_... secrets`);
  }
  if (!value.every((s): s is string => typeof s === 'string' && s.startsWith('whsec_'))) {
    throw fail(`${field}: each secret must be a string starting with whsec_`);
  }
  return value;
}
