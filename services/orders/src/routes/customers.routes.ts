import { Type } from '@sinclair/typebox';
import { BILLING_ACCOUNT_PATTERN } from '@billing/contracts';
import { NotFoundError, type HttpApp, type Logger } from '@billing/runtime';
import type { FastifyRequest } from 'fastify';
import type { CustomerRepository } from '../db/customer.repository';
import type { LedgerRepository } from '../db/ledger.repository';
import type { OrderRepository } from '../db/order.repository';
import type { CustomerErasure } from '../domain/customer-erasure';
import { normalizeEmail } from '../stripe/stripe-objects';
import { CustomerDetail, CustomerErasureView, errorResponses } from './schemas';
import { customerView, orderView, paymentView } from './views';

const SHOWN = 100;

/**
 * `GET /customers/:email`: the account with its latest orders and payments;
 * `DELETE /customers/:email/data`: erases the customer's personal data (see CustomerErasure).
 */
export function registerCustomerRoutes(
  app: HttpApp,
  deps: {
    customers: CustomerRepository;
    orders: OrderRepository;
    ledger: LedgerRepository;
    erasure: Pick<CustomerErasure, 'erase'>;
    /** The audit line of an erasure (the route's own request lines are off: its URL names the email). */
    logger: Logger;
    auth: (request: FastifyRequest) => Promise<void>;
  },
): void {
  app.get(
    '/customers/:email',
    {
      onRequest: deps.auth,
      schema: {
        summary: `A customer (email matched case-insensitively) with the latest ${SHOWN} orders and payments`,
        tags: ['customers'],
        params: Type.Object({ email: Type.String({ minLength: 3, maxLength: 320 }) }),
        querystring: Type.Object({
          account: Type.Optional(
            Type.String({
              pattern: BILLING_ACCOUNT_PATTERN,
              description: 'The Stripe account label (STRIPE_ACCOUNTS); default: the default account',
            }),
          ),
        }),
        response: { 200: CustomerDetail, ...errorResponses },
      },
    },
    async (request) => {
      const email = normalizeEmail(request.params.email);
      const customer = await deps.customers.get(email, request.query.account);
      if (!customer) throw new NotFoundError(`no customer ${email}`);
      const [orders, payments] = await Promise.all([
        deps.orders.list({ email, limit: SHOWN }),
        deps.ledger.paymentsOfCustomer(email, SHOWN),
      ]);
      return {
        ...customerView(customer),
        orders: orders.map(orderView),
        payments: payments.map(paymentView),
      };
    },
  );

  app.delete(
    '/customers/:email/data',
    {
      onRequest: deps.auth,
      // Fastify's request lines would write the email (in the URL) into the logs it is erased from.
      logLevel: 'warn',
      schema: {
        summary:
          'Erases the personal data of a customer (email matched case-insensitively): orders pseudonymizes ' +
          'its records now and tells licensing and notifications to erase theirs. 202 also when nothing ' +
          'was found (they may hold data orders does not); repeating it is harmless.',
        tags: ['customers'],
        params: Type.Object({ email: Type.String({ minLength: 3, maxLength: 320 }) }),
        response: { 202: CustomerErasureView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const outcome = await deps.erasure.erase(normalizeEmail(request.params.email), request.id);
      deps.logger.info(
        {
          requestId: request.id,
          eventId: outcome.eventId,
          placeholder: outcome.placeholder,
          erased: outcome.erased,
        },
        'customer data erased',
      );
      return reply.status(202).send({ ...outcome, erasedAt: outcome.erasedAt.toISOString() });
    },
  );
}
