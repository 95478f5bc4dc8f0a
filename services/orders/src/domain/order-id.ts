import { createHash } from 'node:crypto';

/**
 * The order id of a checkout session: the same on every replica and every redelivery, so racing
 * duplicates collide on the same key instead of creating two orders.
 */
export function orderIdFor(checkoutSessionId: string): string {
  return `ord_${createHash('sha256').update(checkoutSessionId).digest('hex').slice(0, 24)}`;
}
