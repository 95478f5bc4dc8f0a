import { parseArgs } from 'node:util';
import { ConfigError, EnvReader, readStripeApiConfig, type StripeApiConfig } from '@billing/runtime';

export const USAGE = `Usage: npm run stripe:register -- --url <https://your-host/webhooks/stripe> [options]

Creates (or updates) the Stripe webhook endpoint for the gateway with exactly the event types the
services consume and the pinned API version, and prints the signing secret for STRIPE_WEBHOOK_SECRET.

Options:
  --url <url>          the gateway's public webhook URL (required; https)
  --api-key <key>      Stripe secret or restricted key with write access to webhook endpoints
                       (default: STRIPE_SECRET_KEY)
  --api-url <url>      Stripe's API, or stripe-mock or a fake for testing
                       (default: STRIPE_API_URL, else https://api.stripe.com)
  --description <text> the endpoint's description in the Stripe Dashboard
  --recreate           when the endpoint renders another API version, create a new one beside it
                       (Stripe sets an endpoint's API version only when it creates it)
  --dry-run            list the account's endpoints and print what would change, change nothing
  --allow-http         accept an http URL (local testing only; Stripe's live mode requires https)
  -h, --help           print this help

Exit codes: 0 done, 1 Stripe or network error, 2 bad usage.`;

export interface RegisterOptions {
  url: string;
  description: string | undefined;
  recreate: boolean;
  dryRun: boolean;
  stripe: StripeApiConfig;
}

/** A mistake in the command line or the environment: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type ParsedCommand = { help: true } | { help: false; options: RegisterOptions };

function webhookUrl(value: string | undefined, allowHttp: boolean): string {
  if (value === undefined || value.trim() === '') throw new UsageError('--url is required');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new UsageError(`--url must be an absolute URL, got "${value}"`);
  }
  if (url.protocol === 'http:' && !allowHttp) {
    throw new UsageError(
      `--url must use https (Stripe delivers live-mode events only to https), got "${value}"; ` +
        'pass --allow-http to register an http URL for local testing',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`--url must be an https URL, got "${value}"`);
  }
  if (url.username || url.password) {
    throw new UsageError('--url must not carry credentials: Stripe signs each delivery instead');
  }
  return url.href;
}

/** Reads the command line and the environment; throws a UsageError naming what is wrong. */
export function parseCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): ParsedCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        'api-key': { type: 'string' },
        'api-url': { type: 'string' },
        description: { type: 'string' },
        recreate: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        'allow-http': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return { help: true };

  const url = webhookUrl(values.url, values['allow-http']);
  // The same reader as the services, so STRIPE_API_TIMEOUT_MS and STRIPE_API_MAX_RETRIES apply too.
  const reader = new EnvReader({
    ...env,
    STRIPE_SECRET_KEY: values['api-key'] ?? env.STRIPE_SECRET_KEY,
    STRIPE_API_URL: values['api-url'] ?? env.STRIPE_API_URL,
  });
  let stripe: StripeApiConfig;
  try {
    stripe = readStripeApiConfig(reader);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const flag = { STRIPE_SECRET_KEY: ' (or pass --api-key)', STRIPE_API_URL: ' (or --api-url)' };
    throw new UsageError(`${err.message}${flag[err.variable as keyof typeof flag] ?? ''}`);
  }
  if (!/^(sk|rk)_/.test(stripe.secretKey)) {
    throw new UsageError(
      'the API key must be a secret (sk_...) or restricted (rk_...) key; a publishable key cannot manage webhooks',
    );
  }
  const description = values.description?.trim();
  return {
    help: false,
    options: {
      url,
      description: description === '' ? undefined : description,
      recreate: values.recreate,
      dryRun: values['dry-run'],
      stripe,
    },
  };
}
