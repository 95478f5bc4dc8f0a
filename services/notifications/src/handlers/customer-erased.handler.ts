import type { CustomerErasedV1, TypedEnvelope } from '@billing/contracts';
import { done, type HandlerContext, type Outcome } from '@billing/runtime';
import type { HandlerDeps } from './deps';

/**
 * `orders.customer.erased.v1`: pseudonymizes the customer's email ledger rows, order snapshots and
 * stored webhook messages (see NotificationsErasure). Sends nothing: no email and no webhook
 * announce an erasure.
 */
export async function handleCustomerErased(
  event: TypedEnvelope<CustomerErasedV1>,
  deps: Pick<HandlerDeps, 'erasure'>,
  ctx: HandlerContext,
): Promise<Outcome> {
  const { email, placeholder } = event.payload;
  const erased = await deps.erasure.erase(email, placeholder);
  ctx.logger.info({ eventId: event.id, placeholder, erased }, 'customer data erased');
  return done();
}
