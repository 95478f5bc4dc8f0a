import { Type } from '@sinclair/typebox';
import type { FastifySchema } from 'fastify';
import {
  BILLING_ACCOUNT_PATTERN,
  DEFAULT_BILLING_ACCOUNT,
  StripeEventShape,
  StripeV2EventShape,
} from '@billing/contracts';
import {
  errorResponses,
  inSpan,
  NotFoundError,
  PUBLIC,
  SpanKind,
  STRIPE_EVENT_ID,
  type HttpApp,
} from '@billing/runtime';
import type { StripeEventPublisher } from '../publisher';
import { fetchThinEvent, type StripeEventSource } from '../thin-events';
import { verifyStripeWebhook, type VerifiedWebhook } from '../verify';

/** What one Stripe account's webhooks are verified and completed with. */
export interface AccountWebhooks {
  secrets: readonly string[];
  thinSecrets: readonly string[];
  /** Its API, to fetch the event of a thin notification. */
  stripeEvents?: StripeEventSource;
}

/** The default account's webhooks (the fields of AccountWebhooks), and the other accounts'. */
export interface WebhookRouteOptions extends AccountWebhooks {
  toleranceSeconds: number;
  maxBodyBytes: number;
  publisher: StripeEventPublisher;
  /** The accounts of STRIPE_ACCOUNTS by label, received at `/webhooks/stripe/<label>`. */
  accounts?: ReadonlyMap<string, AccountWebhooks>;
}

/**
 * Both paths Stripe may be configured with for the default account; one handler for snapshot
 * webhook endpoints and for event destinations with thin payloads (told apart by the body's `object`).
 */
export const WEBHOOK_PATHS = ['/api/billing/webhooks', '/webhooks/stripe'] as const;

/** The path of each account's endpoint (`default` is the default account too). */
export const ACCOUNT_WEBHOOK_PATH = '/webhooks/stripe/:account';

const schema = {
  summary: 'Receives a Stripe webhook: verified, stored in JetStream, then answered',
  description:
    'Answers 200 only once the event is stored (a duplicate is stored once); 503 asks Stripe to retry. ' +
    'A thin event notification (`object: "v2.core.event"`, signed with a STRIPE_THIN_WEBHOOK_SECRET) ' +
    'is answered once the event it names, fetched from Stripe, is stored.',
  tags: ['stripe'],
  // Stripe authenticates with the signature, not a bearer token.
  security: PUBLIC,
  response: {
    200: Type.Object({ received: Type.Literal(true) }),
    ...errorResponses(400, 413, 415, 503),
  },
};

const accountSchema = {
  ...schema,
  summary: "Receives a Stripe webhook of one account (STRIPE_ACCOUNTS), verified with that account's secrets",
  params: Type.Object({ account: Type.String({ pattern: BILLING_ACCOUNT_PATTERN }) }),
  response: { ...schema.response, ...errorResponses(404) },
};

/**
 * For the OpenAPI document only: the body stays raw bytes for the signature check, after which
 * verify.ts validates it with the same `StripeEventShape` (or `StripeV2EventShape`, thin).
 */
const documentSignedBody = ({ schema, url }: { schema: FastifySchema; url: string }) => ({
  url,
  schema: {
    ...schema,
    headers: Type.Object({
      'stripe-signature': Type.String({ description: '`t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=...]`' }),
    }),
    body: Type.Union([StripeEventShape, StripeV2EventShape]),
  },
});

/**
 * Verify, store, answer. Registered as its own plugin so that its raw-body parser applies to
 * these routes only: the signature covers the exact bytes, never re-serialised JSON.
 */
export async function stripeWebhookRoutes(app: HttpApp, options: WebhookRouteOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: options.maxBodyBytes },
    (_request, body, done) => done(null, body),
  );

  const accountOf = (label: string | undefined): { label: string; webhooks: AccountWebhooks } => {
    if (label === undefined || label === DEFAULT_BILLING_ACCOUNT)
      return { label: DEFAULT_BILLING_ACCOUNT, webhooks: options };
    const webhooks = options.accounts?.get(label);
    if (!webhooks)
      throw new NotFoundError(
        `no Stripe account "${label}" is configured (STRIPE_ACCOUNTS)`,
        'unknown_account',
      );
    return { label, webhooks };
  };

  for (const url of [...WEBHOOK_PATHS, ACCOUNT_WEBHOOK_PATH]) {
    // Fastify's two per-request info lines are off on this hot path; one line per stored event
    // says the same, and every rejection is still logged (at warn) by the error handler.
    const routeOptions = {
      bodyLimit: options.maxBodyBytes,
      logLevel: 'warn' as const,
      schema: url === ACCOUNT_WEBHOOK_PATH ? accountSchema : schema,
      config: { swaggerTransform: documentSignedBody },
    };
    app.post(url, routeOptions, (request, reply) =>
      // The first span of the Stripe event's trace; the stored message carries its context.
      inSpan(
        `POST ${url}`,
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': url } },
        async (span) => {
          const account = accountOf((request.params as { account?: string }).account);
          const verified = await verifyStripeWebhook(
            request.body as Buffer,
            request.headers['stripe-signature'],
            { ...account.webhooks, toleranceSeconds: options.toleranceSeconds },
          );
          const notificationId = verified.kind === 'thin' ? verified.notification.id : undefined;
          if (notificationId) span.setAttribute('stripe.notification_id', notificationId);
          const { event, duplicate } = await store(verified, request.body as Buffer, account, options);
          span.setAttributes({
            [STRIPE_EVENT_ID]: event.id,
            'stripe.event_type': event.type,
            'billing.account': account.label,
            'http.response.status_code': 200,
            'billing.duplicate': duplicate,
          });
          app.log.info(
            {
              reqId: request.id,
              eventId: event.id,
              eventType: event.type,
              account: account.label,
              ...(notificationId && { notificationId }),
              duplicate,
              ms: Math.round(reply.elapsedTime),
            },
            'stripe event stored',
          );
          return reply.status(200).send({ received: true });
        },
      ),
    );
  }
}

/** Stores a snapshot as received; a thin notification as the event it names, fetched from Stripe. */
async function store(
  verified: VerifiedWebhook,
  rawBody: Buffer,
  account: { label: string; webhooks: AccountWebhooks },
  options: WebhookRouteOptions,
): Promise<{ event: { id: string; type: string }; duplicate: boolean }> {
  const { publisher } = options;
  if (verified.kind === 'snapshot') {
    const { duplicate } = await publisher.publish(verified.event, rawBody, account.label);
    return { event: verified.event, duplicate };
  }
  const fetched = await fetchThinEvent(
    verified.notification,
    account.webhooks.stripeEvents,
    options.maxBodyBytes,
  );
  const { duplicate } =
    fetched.kind === 'snapshot'
      ? await publisher.publish(fetched.event, fetched.body, account.label)
      : await publisher.publishV2(fetched.event, fetched.body, account.label);
  return { event: fetched.event, duplicate };
}
