import { Type } from '@sinclair/typebox';
import { OrderStatus } from '@billing/contracts';
import { NotFoundError, type HttpApp } from '@billing/runtime';
import type { FastifyRequest } from 'fastify';
import type { LedgerRepository } from '../db/ledger.repository';
import type { Order } from '../db/order.model';
import type { OrderRepository } from '../db/order.repository';
import { normalizeEmail } from '../stripe/stripe-objects';
import { decodeCursor, encodeCursor } from './cursor';
import { OrderDetail, OrderPage, errorResponses } from './schemas';
import { orderView, paymentView, refundView } from './views';

export interface OrdersRouteDeps {
  orders: OrderRepository;
  ledger: LedgerRepository;
  auth: (request: FastifyRequest) => Promise<void>;
}

/** `GET /orders/:id` and `GET /orders?email=&status=&limit=&cursor=`. */
export function registerOrderRoutes(app: HttpApp, deps: OrdersRouteDeps): void {
  app.get(
    '/orders/:id',
    {
      onRequest: deps.auth,
      schema: {
        summary: 'One order with its payments and refunds',
        tags: ['orders'],
        params: Type.Object({ id: Type.String() }),
        response: { 200: OrderDetail, ...errorResponses },
      },
    },
    async (request) => {
      const order = await deps.orders.get(request.params.id);
      if (!order) throw new NotFoundError(`no order ${request.params.id}`);
      const [payments, refunds] = await Promise.all([
        deps.ledger.paymentsOf(order.orderId),
        deps.ledger.refundsOf(order.orderId),
      ]);
      return { ...orderView(order), payments: payments.map(paymentView), refunds: refunds.map(refundView) };
    },
  );

  app.get(
    '/orders',
    {
      onRequest: deps.auth,
      schema: {
        summary: 'Orders, newest first, optionally of one customer or in one status',
        tags: ['orders'],
        querystring: Type.Object({
          email: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
          status: Type.Optional(OrderStatus),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          cursor: Type.Optional(Type.String({ maxLength: 1000 })),
        }),
        response: { 200: OrderPage, ...errorResponses },
      },
    },
    async (request) => {
      const { email, status, limit, cursor } = request.query;
      const after = cursor ? decodeCursor(cursor, ['createdAt', 'orderId'] as const) : undefined;
      const orders = await deps.orders.list({
        email: email ? normalizeEmail(email) : undefined,
        status,
        limit: limit + 1,
        after: after ? { createdAt: new Date(after.createdAt), orderId: after.orderId } : undefined,
      });
      const items = orders.slice(0, limit);
      const last: Order | undefined = items[items.length - 1];
      const nextCursor =
        orders.length > limit && last
          ? encodeCursor({ createdAt: last.createdAt.toISOString(), orderId: last.orderId })
          : null;
      return { items: items.map(orderView), nextCursor };
    },
  );
}
