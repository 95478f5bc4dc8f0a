import { PermanentError, type Logger } from '@billing/runtime';
import type { OrderLineV1 } from '@billing/contracts';
import { lineKeys, matchProduct, toOrderLine } from '../catalog/catalog-match';
import type { CatalogRepository } from '../db/catalog.repository';
import type { CustomerRepository } from '../db/customer.repository';
import type { Order } from '../db/order.model';
import type { OrderRepository } from '../db/order.repository';
import type { LineItemWire, StripeApi } from '../stripe/stripe-api';
import { dateFromUnix, idOf, sessionEmail, type CheckoutSessionWire } from '../stripe/stripe-objects';
import type { StripeScope } from '../stripe/stripe-event';
import { accountFields } from './billing-account';
import { orderIdFor } from './order-id';
import { deriveOrderState } from './order-state';

/**
 * Turns a Checkout Session into its one sales order. Everything the order needs from Stripe's API
 * (line items, the subscription's period end) is fetched before anything is written, so a Stripe
 * failure leaves nothing behind and the redelivery starts clean.
 */
export class OrderIntake {
  constructor(
    private readonly orders: OrderRepository,
    private readonly customers: CustomerRepository,
    private readonly catalog: CatalogRepository,
    private readonly stripe: StripeApi,
  ) {}

  /**
   * `scope`: the event's account. The order id needs no account: it derives from the checkout
   * session id, and Stripe ids are unique across all accounts, so two accounts' orders never collide.
   */
  async ensureOrder(
    session: CheckoutSessionWire,
    eventTime: Date,
    log: Logger,
    scope: StripeScope,
  ): Promise<{ order: Order; created: boolean }> {
    const orderId = orderIdFor(session.id);
    const existing = await this.orders.get(orderId);
    if (existing) {
      await this.orders.link(existing);
      return { order: existing, created: false };
    }

    const email = sessionEmail(session);
    if (!email) throw new PermanentError(`checkout session ${session.id} has no customer email`);
    const items = await this.stripe.lineItems(session.id, scope);
    const subscriptionId = idOf(session.subscription);
    const periodEnd =
      session.mode === 'subscription' && subscriptionId
        ? await this.stripe.subscriptionPeriodEnd(subscriptionId, scope)
        : null;
    const lines = await this.mapLines(items, orderId, log);

    const createdAt = dateFromUnix(session.created) ?? eventTime;
    const stripeCustomerId = idOf(session.customer);
    const customerName = session.customer_details?.name ?? null;
    const account = accountFields(scope);
    await this.customers.ensure({ email, name: customerName, stripeCustomerId, at: createdAt, ...account });
    const order: Order = {
      orderId,
      checkoutSessionId: session.id,
      ...account,
      mode: session.mode,
      livemode: session.livemode ?? false,
      customerEmail: email,
      customerName,
      stripeCustomerId,
      cartId: session.client_reference_id ?? null,
      metadata: { ...(session.metadata ?? {}) },
      subscriptionId,
      paymentIntentId: idOf(session.payment_intent),
      amountSubtotal: session.amount_subtotal ?? 0,
      amountTotal: session.amount_total ?? 0,
      currency: session.currency ?? lines[0]?.currency ?? 'usd',
      lines,
      initialPeriodEnd: periodEnd,
      createdAt,
      revision: 0,
      ...deriveOrderState({
        initialPeriodEnd: periodEnd,
        facts: [],
        payments: [],
        refunds: [],
        allocations: [],
      }),
    };
    await this.orders.link(order);
    if (await this.orders.insert(order)) {
      log.info({ orderId, checkoutSessionId: session.id, lines: lines.length }, 'order created');
      return { order, created: true };
    }
    // A concurrent duplicate stored it first.
    const stored = await this.orders.get(orderId);
    if (!stored) throw new Error(`order ${orderId} for ${session.id} conflicts but cannot be read`);
    return { order: stored, created: false };
  }

  private async mapLines(items: LineItemWire[], orderId: string, log: Logger): Promise<OrderLineV1[]> {
    return Promise.all(
      items.map(async (item) => {
        const keys = lineKeys(item);
        const product = matchProduct(keys, await this.catalog.candidatesFor(keys));
        if (!product) {
          log.warn(
            {
              orderId,
              lineId: item.id,
              stripePriceId: keys.priceId,
              stripeProductId: keys.productId,
              skus: keys.skus,
            },
            'line not in catalog',
          );
        }
        return toOrderLine(item, keys, product);
      }),
    );
  }
}
