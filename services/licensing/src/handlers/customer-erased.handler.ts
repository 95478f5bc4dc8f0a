import type { CustomerErasedV1, TypedEnvelope } from '@billing/contracts';
import { done, type HandlerContext, type Outcome } from '@billing/runtime';
import type { HandlerDeps } from './deps';

/**
 * `orders.customer.erased.v1`: pseudonymizes the customer's licenses, Stripe customer links, tier
 * announcements and machine names (see LicensingErasure). Publishes nothing: the licenses did not
 * change, only whose they say they are.
 */
export async function handleCustomerErased(
  envelope: TypedEnvelope<CustomerErasedV1>,
  deps: Pick<HandlerDeps, 'erasure'>,
  ctx: HandlerContext,
): Promise<Outcome> {
  const { email, placeholder } = envelope.payload;
  const erased = await deps.erasure.erase(email, placeholder);
  ctx.logger.info({ eventId: envelope.id, placeholder, erased }, 'customer data erased');
  return done();
}
