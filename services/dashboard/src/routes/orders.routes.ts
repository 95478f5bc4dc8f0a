import type { FastifyInstance } from 'fastify';
import { href } from '../views/components';
import { html } from '../views/html';
import { customerView, orderView, ordersSearchView } from '../views/orders.view';
import { queryParam, renderPage, seeOther, settled, type RouteDeps } from './context';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** `GET /orders?q=` (search), `GET /orders/:id`, `GET /customers/:email`. */
export function registerOrderPages(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/orders', async (request, reply) => {
    const q = (queryParam(request, 'q') ?? '').trim();
    if (EMAIL.test(q)) return seeOther(reply, href(['customers', q.toLowerCase()]));
    const found = q ? await deps.api.orders.order(q) : null;
    if (found) return seeOther(reply, href(['orders', found.orderId]));
    return renderPage(
      request,
      reply,
      { title: 'Orders & customers', section: 'orders', body: ordersSearchView(q, q !== '') },
      q ? 404 : 200,
    );
  });

  app.get('/orders/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const order = await deps.api.orders.order(id);
    if (!order) {
      return renderPage(
        request,
        reply,
        { title: 'Order not found', section: 'orders', body: ordersSearchView(id, true) },
        404,
      );
    }
    const [licenses, notifications] = await Promise.all([
      settled(deps.api.licensing.licensesOf({ orderId: order.orderId })),
      settled(deps.api.notifications.customerNotifications(order.customerEmail)),
    ]);
    return renderPage(request, reply, {
      title: `Order ${order.orderId}`,
      section: 'orders',
      body: orderView({ order, licenses, notifications }),
    });
  });

  app.get('/customers/:email', async (request, reply) => {
    const email = (request.params as { email: string }).email.trim().toLowerCase();
    if (!EMAIL.test(email)) {
      return renderPage(
        request,
        reply,
        { title: 'Not an email address', section: 'orders', body: html`${ordersSearchView(email, false)}` },
        400,
      );
    }
    const [customer, licenses, notifications] = await Promise.all([
      settled(deps.api.orders.customer(email)),
      settled(deps.api.licensing.licensesOf({ email })),
      settled(deps.api.notifications.customerNotifications(email)),
    ]);
    return renderPage(request, reply, {
      title: `Customer ${email}`,
      section: 'orders',
      body: customerView({ email, customer, licenses, notifications }),
    });
  });
}
