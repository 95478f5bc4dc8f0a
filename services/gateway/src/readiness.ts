import { STRIPE_EVENTS_STREAM } from '@billing/contracts';
import type { NatsHandle } from '@billing/runtime';

/** Ready when NATS is connected and the Stripe events stream exists (checked at most every 2 s). */
export function natsReadiness(nats: NatsHandle): Record<string, () => Promise<boolean>> {
  let checkedAt = 0;
  let streamPresent = false;
  return {
    nats: async () => nats.isConnected(),
    stream: async () => {
      if (Date.now() - checkedAt > 2000) {
        checkedAt = Date.now();
        streamPresent = await nats.jsm.streams
          .info(STRIPE_EVENTS_STREAM.name)
          .then(() => true)
          .catch(() => false);
      }
      return streamPresent;
    },
  };
}
