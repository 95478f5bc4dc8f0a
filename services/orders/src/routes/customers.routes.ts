import { Type } from '@sinclair/typebox';
import { NotFoundError, type HttpApp } from '@billing/runtime';
import type { FastifyRequest } from 'fastify';
import type { CustomerRepository } from '../db/customer.repository';
import type { LedgerRepository } from '../db/ledger.repository';
import type { OrderRepository } from '../db/order.repository';
import { normalizeEmail } from '../stripe/stripe-objects';
import { CustomerDetail, errorResponses } from './schemas';
import { customerView, orderView, paymentView } from './views';

const SHOWN = 100;

/** `GET /customers/:email`: the account with its latest orders and payments. */
export function registerCustomerRoutes(
  app: HttpApp,
  deps: {
    customers: CustomerRepository;
    orders: OrderRepository;
    ledger: LedgerRepository;
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
        response: { 200: CustomerDetail, ...errorResponses },
      },
    },
    async (request) => {
      const email = normalizeEmail(request.params.email);
      const customer = await deps.customers.get(email);
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
}
