import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import {
  BILLING_ACCOUNT_PATTERN,
  DEFAULT_BILLING_ACCOUNT,
  STRIPE_EVENTS_API_WINDOW_MS,
} from '@billing/contracts';
import {
  BadRequestError,
  NotFoundError,
  ServiceUnavailableError,
  errorResponses,
  type HttpApp,
} from '@billing/runtime';
import type { StripeReconciler } from '../reconcile/reconciler';

const DateTime = Type.String({ format: 'date-time' });

const ReconcileAnswer = Type.Object({
  since: DateTime,
  until: DateTime,
  found: Type.Integer({
    description: 'Events Stripe listed in the range, of the types the services consume',
  }),
  alreadyPresent: Type.Integer({ description: 'Of those, already in the stream' }),
  stored: Type.Integer({ description: 'Of those, stored now' }),
});

/**
 * `POST /admin/reconcile?since=&until=`: lists Stripe's events created in the range (Stripe keeps
 * 30 days; `until` defaults to now) and stores those the stream lacks, then answers what it
 * found. Runs in the request, so a long range takes as long as Stripe's pages do. `account` picks
 * the Stripe account (a label of STRIPE_ACCOUNTS; default: the default account).
 */
export function registerAdminRoutes(
  app: HttpApp,
  deps: {
    /** By account label; undefined: that account has no API key. */
    reconcilers: ReadonlyMap<string, StripeReconciler | undefined>;
    auth: (request: FastifyRequest) => Promise<void>;
  },
): void {
  app.post(
    '/admin/reconcile',
    {
      onRequest: deps.auth,
      schema: {
        summary: "Stores the Stripe events of a time range that the stream lacks (Stripe's Events API)",
        tags: ['reconciliation'],
        querystring: Type.Object(
          {
            since: DateTime,
            until: Type.Optional(DateTime),
            account: Type.Optional(Type.String({ pattern: BILLING_ACCOUNT_PATTERN })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ReconcileAnswer, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const since = new Date(request.query.since);
      const until = request.query.until ? new Date(request.query.until) : new Date();
      if (since > until) throw new BadRequestError('since is after until', 'invalid_range');
      if (until.getTime() < Date.now() - STRIPE_EVENTS_API_WINDOW_MS)
        throw new BadRequestError(
          'Stripe keeps events for 30 days: the range ends before that',
          'invalid_range',
        );
      const account = request.query.account ?? DEFAULT_BILLING_ACCOUNT;
      if (!deps.reconcilers.has(account))
        throw new NotFoundError(
          `no Stripe account "${account}" is configured (STRIPE_ACCOUNTS)`,
          'unknown_account',
        );
      const reconciler = deps.reconcilers.get(account);
      if (!reconciler)
        throw new ServiceUnavailableError(
          'reconciliation needs Stripe API access: set STRIPE_SECRET_KEY',
          'reconciliation_off',
        );
      return reconciler.reconcile({ since, until });
    },
  );
}
