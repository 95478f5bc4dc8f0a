import { TIER_CHANGED_V1, type TierChangedV1 } from '@billing/contracts';
import {
  causeOf,
  outboxEvent,
  type EventEmitter,
  type HandlerContext,
  type OutboxEvent,
} from '@billing/runtime';
import type { CustomerRepository } from '../db/customer.repository';
import { emailKeyOf } from '../db/license.model';
import type { LicenseReader } from './license-reader';
import { featuresOf, type TierCatalog } from './tiers';

/** What the announcer reads and writes; interfaces, so a unit test passes fakes. */
export interface TierAnnouncerDeps {
  views: Pick<LicenseReader, 'tierOf'>;
  customers: Pick<CustomerRepository, 'lastAnnouncement' | 'announcementsOf' | 'addAnnouncement'>;
  tiers: TierCatalog;
  /** Publishes before the message is acknowledged; see DirectEmitter. */
  events: Pick<EventEmitter, 'emit'>;
  clock: () => Date;
}

/** What caused a tier change: the customer and the subscription, as far as known. */
export interface TierCause {
  stripeCustomerId: string | null;
  subscriptionId: string | null;
}

/** Links of the chain tried before giving up (another replica kept announcing meanwhile). */
const MAX_LINKS_TRIED = 5;

function tierChangedEvent(
  email: string,
  seq: number,
  payload: TierChangedV1,
  ctx: Pick<HandlerContext, 'messageId' | 'correlationId'>,
): OutboxEvent {
  return outboxEvent(TIER_CHANGED_V1, {
    id: `licensing.tier.changed:${emailKeyOf(email)}:${seq}`,
    payload,
    ...causeOf(ctx),
  });
}

/**
 * Announces `licensing.tier.changed` when a customer's tier moves. One per process, built in
 * app.ts: within one process, announcements for one email run one after another (`chains`);
 * replicas are kept apart by the announcement chain's inserts, the chains only spare a process
 * losing races to itself.
 */
export class TierAnnouncer {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: TierAnnouncerDeps) {}

  /**
   * Emits `events` together with the tier change they cause (if any). A redelivered message
   * whose announcement was decided before a crash publishes that same announcement again (same
   * id, which JetStream or the consumers drop when it was published already).
   */
  async emitWithTierChange(
    email: string,
    cause: TierCause,
    events: readonly OutboxEvent[],
    ctx: HandlerContext,
  ): Promise<void> {
    const { deps, chains } = this;
    const key = emailKeyOf(email);
    const previous = chains.get(key) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(async () => {
        const decided = (await deps.customers.announcementsOf(ctx.messageId)).filter(
          (a) => a.emailKey === key,
        );
        const announcements =
          decided.length > 0
            ? decided.map((a) => tierChangedEvent(email, a.seq, a.payload, ctx))
            : [await this.decideTierChange(email, cause, ctx)].filter((a): a is OutboxEvent => a !== null);
        await deps.events.emit([...events, ...announcements]);
      });
    chains.set(key, run);
    try {
      await run;
    } finally {
      if (chains.get(key) === run) chains.delete(key);
    }
  }

  /**
   * Decides whether the customer's tier changed since it was last announced and, if so, takes the
   * next link of the email's announcement chain (an insert under `<email>:<seq>`): of any number of
   * replicas that find the same change at once, exactly one's insert succeeds and only it announces
   * it; the others read the chain again and find nothing left to announce. Returns the
   * announcement to publish, or null.
   */
  private async decideTierChange(
    email: string,
    cause: TierCause,
    ctx: HandlerContext,
  ): Promise<OutboxEvent | null> {
    const { deps } = this;
    const { tiers } = deps;
    for (let tried = 0; tried < MAX_LINKS_TRIED; tried++) {
      const [tier, last] = await Promise.all([
        deps.views.tierOf(email),
        deps.customers.lastAnnouncement(email),
      ]);
      const previousTier = last?.tier ?? tiers.defaultTier;
      if (tier === previousTier) return null;
      const seq = (last?.seq ?? 0) + 1;
      const payload: TierChangedV1 = {
        customerEmail: email,
        stripeCustomerId: cause.stripeCustomerId,
        subscriptionId: cause.subscriptionId,
        previousTier,
        tier,
        features: featuresOf(tiers, tier),
      };
      const taken = await deps.customers.addAnnouncement({
        email,
        seq,
        tier,
        messageId: ctx.messageId,
        payload,
        decidedAt: deps.clock(),
      });
      if (taken) return tierChangedEvent(email, seq, payload, ctx);
    }
    throw new Error(`the tier of ${emailKeyOf(email)} kept changing while it was announced`);
  }
}
