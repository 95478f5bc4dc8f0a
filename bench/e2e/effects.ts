import { preciseNow, type ReceivedWebhook, type WebhookReceiver } from '@billing/testkit';
import type { Checkout } from './load';
import type { SinkEmail, SmtpSink } from './smtp-sink';

/** The two effects a checkout must have: its verified `checkout.completed` webhook and its purchase email. */
export const EFFECT_WEBHOOK = 'checkout.completed';
export const EFFECT_EMAIL_TEMPLATE = 'purchase-confirmation';

/** What arrived at the receiver and the SMTP sink since a phase began. */
export class EffectWatch {
  private readonly hooksFrom: number;
  private readonly emailsFrom: number;
  private readonly rejectedFrom: number;
  private readonly checkoutOf: Map<string, number>;
  /** Arrival of each checkout's first effect of each kind. */
  readonly webhookAt: Array<number | undefined>;
  readonly emailAt: Array<number | undefined>;
  private hooksSeen: number;
  private emailsSeen: number;
  private complete = 0;

  constructor(
    private readonly receiver: WebhookReceiver,
    private readonly sink: SmtpSink,
    checkouts: readonly Checkout[],
  ) {
    this.hooksFrom = this.hooksSeen = receiver.received.length;
    this.emailsFrom = this.emailsSeen = sink.emails.length;
    this.rejectedFrom = receiver.rejected.length;
    this.checkoutOf = new Map(checkouts.map((c, i) => [c.email.toLowerCase(), i]));
    this.webhookAt = new Array<number | undefined>(checkouts.length);
    this.emailAt = new Array<number | undefined>(checkouts.length);
  }

  /**
   * Webhooks and emails of this phase's customers. Every outbound webhook names its customer, and
   * every checkout has its own email address, so something a previous phase caused late is not
   * counted here.
   */
  get hooks(): ReceivedWebhook[] {
    return this.receiver.received
      .slice(this.hooksFrom)
      .filter((h) => this.checkoutOf.has(String(h.data.customerEmail ?? '').toLowerCase()));
  }

  get emails(): SinkEmail[] {
    return this.sink.emails.slice(this.emailsFrom).filter((m) => m.to.some((to) => this.checkoutOf.has(to)));
  }

  get rejected(): number {
    return this.receiver.rejected.length - this.rejectedFrom;
  }

  /** Takes in what arrived since the last call; true when every checkout has both effects. */
  private update(): boolean {
    const mark = (times: Array<number | undefined>, index: number | undefined, at: number) => {
      if (index === undefined || times[index] !== undefined) return;
      times[index] = at;
      const other = times === this.webhookAt ? this.emailAt : this.webhookAt;
      if (other[index] !== undefined) this.complete += 1;
    };
    for (const hook of this.receiver.received.slice(this.hooksSeen)) {
      if (hook.event !== EFFECT_WEBHOOK) continue;
      const email = String(hook.data.customerEmail ?? '').toLowerCase();
      mark(this.webhookAt, this.checkoutOf.get(email), hook.receivedAt);
    }
    for (const mail of this.sink.emails.slice(this.emailsSeen)) {
      if (mail.template !== EFFECT_EMAIL_TEMPLATE) continue;
      for (const to of mail.to) mark(this.emailAt, this.checkoutOf.get(to), mail.at);
    }
    this.hooksSeen = this.receiver.received.length;
    this.emailsSeen = this.sink.emails.length;
    return this.complete === this.checkoutOf.size;
  }

  /** Waits until every checkout has both effects; false when the timeout came first. */
  async untilComplete(timeoutMs: number): Promise<boolean> {
    const deadline = preciseNow() + timeoutMs;
    while (!this.update()) {
      if (preciseNow() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return true;
  }

  /**
   * Waits until the target has nothing left to do (`outstanding` answers 0: e.g. an event retried
   * until its order exists) and nothing new has arrived for `quietMs`, so late effects and
   * duplicates are counted in this phase. False when `maxMs` passed first.
   */
  async untilSettled(quietMs: number, maxMs: number, outstanding: () => Promise<number>): Promise<boolean> {
    const deadline = preciseNow() + maxMs;
    let counts = this.receiver.attempts + this.sink.emails.length;
    let lastChange = preciseNow();
    for (;;) {
      const busy = (await outstanding()) > 0;
      const now = this.receiver.attempts + this.sink.emails.length;
      if (busy || now !== counts) [counts, lastChange] = [now, preciseNow()];
      if (preciseNow() - lastChange >= quietMs) break;
      if (preciseNow() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    this.update();
    return true;
  }

  /** When the last effect of any checkout arrived (undefined while one is missing). */
  lastEffectAt(): number | undefined {
    let last = 0;
    for (let i = 0; i < this.webhookAt.length; i++) {
      const [hook, mail] = [this.webhookAt[i], this.emailAt[i]];
      if (hook === undefined || mail === undefined) return undefined;
      last = Math.max(last, hook, mail);
    }
    return last;
  }
}

export interface EffectCounts {
  webhooksByType: Record<string, number>;
  /** Deliveries beyond the first of the same webhook-id. */
  duplicateWebhooks: number;
  rejectedSignatures: number;
  emailsByTemplate: Record<string, number>;
  /** Emails beyond the first with the same Message-ID, or to the same recipient from the same template. */
  duplicateEmails: number;
  missingWebhooks: number;
  missingEmails: number;
}

const tally = (keys: string[]) =>
  keys.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});

const extras = (keys: string[]) => keys.length - new Set(keys).size;

export function countEffects(watch: EffectWatch): EffectCounts {
  const hooks = watch.hooks;
  const emails = watch.emails;
  const duplicateById = extras(emails.map((m) => m.messageId));
  const duplicateByRecipient = extras(emails.flatMap((m) => m.to.map((to) => `${to} ${m.template}`)));
  return {
    webhooksByType: tally(hooks.map((h) => h.event)),
    duplicateWebhooks: extras(hooks.map((h) => h.id)),
    rejectedSignatures: watch.rejected,
    emailsByTemplate: tally(emails.map((m) => m.template)),
    duplicateEmails: Math.max(duplicateById, duplicateByRecipient),
    missingWebhooks: watch.webhookAt.filter((t) => t === undefined).length,
    missingEmails: watch.emailAt.filter((t) => t === undefined).length,
  };
}
