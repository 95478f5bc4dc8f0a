import { CONSUMED_STRIPE_EVENT_TYPES, STRIPE_API_VERSION } from '@billing/contracts';
import type Stripe from 'stripe';
import type { RegisterOptions } from './options';

/** Where the command writes: results to `out`, warnings and errors to `err`. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

type Endpoint = Stripe.WebhookEndpoint;

/** `new URL(...).href` of both sides, so `https://Host/path` and `https://host/path` are one URL. */
function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

function versionName(version: string | null): string {
  return version ?? "the account's default API version";
}

/**
 * The endpoint to keep among those with our URL: one on the pinned API version if any (after
 * `--recreate` the old one stays until its secret is rolled), the newest otherwise.
 */
function pickEndpoint(matches: Endpoint[]): Endpoint | undefined {
  const newestFirst = [...matches].sort((a, b) => b.created - a.created);
  return newestFirst.find((e) => e.api_version === STRIPE_API_VERSION) ?? newestFirst[0];
}

function printSecret(io: Output, secret: string | undefined): void {
  if (!secret) {
    io.err('Stripe returned no signing secret; reveal it in the Dashboard (Developers > Webhooks).');
    return;
  }
  io.out('');
  io.out(`STRIPE_WEBHOOK_SECRET=${secret}`);
  io.out('');
  io.out("Put this line into .env (or the gateway's environment) and restart the gateway. While you roll");
  io.out('from an older secret, give both, comma-separated: STRIPE_WEBHOOK_SECRET=whsec_old,whsec_new.');
  io.out('Stripe returns the secret only now; the Dashboard can reveal it later.');
}

function printUnchangedSecret(io: Output): void {
  io.out(
    'The signing secret is unchanged (Stripe returns it only when it creates an endpoint): ' +
      'keep STRIPE_WEBHOOK_SECRET as it is.',
  );
}

interface Context {
  stripe: Stripe;
  options: RegisterOptions;
  project: string;
  io: Output;
}

async function create(ctx: Context, note: string): Promise<void> {
  const { stripe, options, project, io } = ctx;
  const params: Stripe.WebhookEndpointCreateParams = {
    url: options.url,
    enabled_events: [...CONSUMED_STRIPE_EVENT_TYPES],
    api_version: STRIPE_API_VERSION,
    description: options.description ?? `Stripe events for the ${project} gateway`,
    metadata: { managed_by: project },
  };
  if (options.dryRun) {
    io.out(`Would create a webhook endpoint for ${options.url}${note}`);
    io.out(`  api_version: ${STRIPE_API_VERSION}`);
    io.out(`  enabled_events: ${params.enabled_events.join(', ')}`);
    return;
  }
  const endpoint = await stripe.webhookEndpoints.create(params);
  io.out(`Created webhook endpoint ${endpoint.id} for ${endpoint.url}${note}`);
  io.out(`  api_version: ${versionName(endpoint.api_version)}`);
  io.out(`  enabled_events: ${endpoint.enabled_events.join(', ')}`);
  printSecret(io, endpoint.secret);
}

/** What an update must change on `endpoint`, with a line per change for the reader. */
function planUpdate(
  ctx: Context,
  endpoint: Endpoint,
): { params: Stripe.WebhookEndpointUpdateParams; changes: string[] } {
  const { options, project } = ctx;
  const want = new Set<string>(CONSUMED_STRIPE_EVENT_TYPES);
  const have = new Set(endpoint.enabled_events);
  const added = [...want].filter((t) => !have.has(t));
  const removed = [...have].filter((t) => !want.has(t));
  const params: Stripe.WebhookEndpointUpdateParams = {};
  const changes: string[] = [];
  if (added.length > 0 || removed.length > 0) {
    params.enabled_events = [...CONSUMED_STRIPE_EVENT_TYPES];
    if (added.length > 0) changes.push(`enable ${added.join(', ')}`);
    if (removed.length > 0) changes.push(`disable ${removed.join(', ')}`);
  }
  if (options.description !== undefined && options.description !== endpoint.description) {
    params.description = options.description;
    changes.push(`description "${options.description}"`);
  }
  if (endpoint.status === 'disabled') {
    params.disabled = false;
    changes.push('re-enable (it was disabled)');
  }
  if (endpoint.metadata.managed_by !== project) {
    params.metadata = { managed_by: project };
    changes.push(`metadata managed_by=${project}`);
  }
  return { params, changes };
}

async function update(ctx: Context, endpoint: Endpoint): Promise<void> {
  const { stripe, options, io } = ctx;
  const { params, changes } = planUpdate(ctx, endpoint);
  if (changes.length === 0) {
    io.out(`Webhook endpoint ${endpoint.id} for ${endpoint.url} is up to date.`);
  } else if (options.dryRun) {
    io.out(`Would update webhook endpoint ${endpoint.id} for ${endpoint.url}:`);
    for (const change of changes) io.out(`  ${change}`);
  } else {
    await stripe.webhookEndpoints.update(endpoint.id, params);
    io.out(`Updated webhook endpoint ${endpoint.id} for ${endpoint.url}:`);
    for (const change of changes) io.out(`  ${change}`);
  }
  if (!options.dryRun) printUnchangedSecret(io);
}

/** The endpoint renders events in another API version, which Stripe never changes after creation. */
async function versionMismatch(ctx: Context, endpoint: Endpoint): Promise<void> {
  const { options, io } = ctx;
  io.err(
    `Webhook endpoint ${endpoint.id} renders events in ${versionName(endpoint.api_version)}, ` +
      `not ${STRIPE_API_VERSION}. Stripe sets an endpoint's api_version only when it creates the endpoint.`,
  );
  if (!options.recreate) {
    await update(ctx, endpoint);
    io.err(
      `Run again with --recreate to create a new endpoint on ${STRIPE_API_VERSION} beside it; ` +
        'the services read both shapes meanwhile.',
    );
    return;
  }
  await create(ctx, ` (beside ${endpoint.id})`);
  if (options.dryRun) return;
  io.out('');
  io.out(`Both endpoints now receive the events; the gateway stores each event once (by its id).`);
  io.out(
    `Roll the secret: add the new one to STRIPE_WEBHOOK_SECRET after the current one, restart the gateway,`,
  );
  io.out(
    `then delete ${endpoint.id} (Dashboard > Developers > Webhooks) and drop its secret. ` +
      'This command deletes nothing.',
  );
}

/** Creates or updates the webhook endpoint for `options.url`; throws Stripe's errors. */
export async function registerWebhook(
  stripe: Stripe,
  options: RegisterOptions,
  project: string,
  io: Output,
): Promise<void> {
  const ctx: Context = { stripe, options, project, io };
  const matches: Endpoint[] = [];
  for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 })) {
    if (sameUrl(endpoint.url, options.url)) matches.push(endpoint);
  }
  const endpoint = pickEndpoint(matches);
  if (!endpoint) return create(ctx, '');
  for (const other of matches.filter((e) => e !== endpoint)) {
    io.err(
      `Also found webhook endpoint ${other.id} for this URL (${versionName(other.api_version)}): ` +
        'delete it once STRIPE_WEBHOOK_SECRET no longer needs its secret, or the gateway rejects its deliveries.',
    );
  }
  if (endpoint.api_version !== STRIPE_API_VERSION) return versionMismatch(ctx, endpoint);
  if (options.recreate) io.err(`--recreate: ${endpoint.id} already uses ${STRIPE_API_VERSION}; updating it.`);
  return update(ctx, endpoint);
}
