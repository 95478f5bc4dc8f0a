import { envelopeDraft, rand } from '@billing/testkit';
import { Webhook } from 'standardwebhooks';
import { TIER_CHANGED_V1 } from '@billing/contracts';
import type { Json, NotificationsContext, ReceivedWebhook } from './harness';

/** Verifies a received webhook as any Standard Webhooks receiver would; throws when it does not verify. */
export const verify = (secret: string, req: ReceivedWebhook) =>
  new Webhook(secret).verify(req.body, req.headers) as Json;

/** Endpoint and event helpers over the suite's context (and its webhook receiver). */
export function webhookHelpers(h: NotificationsContext) {
  return {
    async createEndpoint(events: string[], path = `/hook-${rand(4)}`) {
      const res = await h.api('POST', '/webhooks/endpoints', {
        url: `${h.receiver.url}${path}`,
        events,
        description: 'test',
      });
      expect(res.status).toBe(201);
      return res.body as { id: string; secret: string };
    },
    async messagesOf(endpointId: string) {
      return (await h.api('GET', `/webhooks/endpoints/${endpointId}/messages`)).body.items as Json[];
    },
    /** Publishes a `licensing.tier.changed` (FREE to PRO), which becomes a `tier.changed` webhook. */
    tierChanged(email = `t-${rand(4)}@example.com`) {
      return h.publishEnvelope(
        TIER_CHANGED_V1,
        envelopeDraft(TIER_CHANGED_V1.type, `evt_${rand()}`, {
          customerEmail: email,
          stripeCustomerId: 'cus_1',
          subscriptionId: 'sub_1',
          previousTier: 'FREE',
          tier: 'PRO',
          features: ['Unlimited projects'],
        }),
      );
    },
  };
}
