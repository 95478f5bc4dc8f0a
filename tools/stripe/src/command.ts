import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createStripeClient } from '@billing/runtime';
import Stripe from 'stripe';
import { parseCommand, USAGE, UsageError } from './options';
import { registerWebhook, type Output } from './register-webhook';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

/** The project's name (root package.json), recorded as `metadata.managed_by` on the endpoint. */
export function projectName(): string {
  const file = path.resolve(__dirname, '../../../package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { name: string }).name;
}

function describeError(err: unknown): string {
  if (err instanceof Stripe.errors.StripeError) {
    const details = [err.code && `code ${err.code}`, err.statusCode && `HTTP ${err.statusCode}`]
      .filter(Boolean)
      .join(', ');
    return `Stripe error: ${err.message}${details ? ` (${details})` : ''}`;
  }
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}

/** `npm run stripe:register`: parses the command line and returns the exit code. */
export async function runRegister(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: Output,
): Promise<number> {
  let parsed;
  try {
    parsed = parseCommand(argv, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`stripe:register: ${err.message}`);
    io.err('Run with --help for the options.');
    return EXIT_USAGE;
  }
  if (parsed.help) {
    io.out(USAGE);
    return EXIT_OK;
  }
  const { options } = parsed;
  try {
    const stripe = createStripeClient(options.stripe);
    const mode = options.stripe.secretKey.includes('_live_') ? 'live' : 'test';
    io.out(`Stripe account at ${options.stripe.apiUrl} (${mode} mode${options.dryRun ? ', dry run' : ''})`);
    await registerWebhook(stripe, options, projectName(), io);
    return EXIT_OK;
  } catch (err) {
    io.err(describeError(err));
    return EXIT_ERROR;
  }
}
