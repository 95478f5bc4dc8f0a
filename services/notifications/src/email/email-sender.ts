import { createHash } from 'node:crypto';
import { isErasedEmail } from '@billing/contracts';
import type { Logger } from '@billing/runtime';
import { addressOf, type EmailConfig } from '../config';
import type { EmailLedger } from '../db/email-send.repository';
import type { Mailer } from './smtp-mailer';
import type { Brand, TemplateModels, TemplateName } from './template-models';
import type { TemplateRenderer } from './templates';

export interface EmailRequest<K extends TemplateName> {
  /** The triggering domain event (envelope id): with the template, the key of the send ledger. */
  eventId: string;
  template: K;
  to: string;
  model: TemplateModels[K];
}

export type SendResult =
  | { status: 'sent' }
  | { status: 'already_sent' }
  /** Another delivery of the same event is sending it now: try again later. */
  | { status: 'busy' }
  /** The SMTP server refused or could not be reached: try again later. */
  | { status: 'failed'; error: string }
  /** Not sent, and never will be: the customer's personal data was erased. */
  | { status: 'suppressed' };

export interface EmailSending {
  send<K extends TemplateName>(request: EmailRequest<K>): Promise<SendResult>;
}

/**
 * A stable Message-ID per (event, template): a repeat after a crash carries the same id, so mail
 * systems and receivers that de-duplicate on Message-ID show it once.
 */
export function stableMessageId(eventId: string, template: string, fromAddress: string): string {
  const hash = createHash('sha256').update(`${eventId}\n${template}`).digest('hex').slice(0, 40);
  const domain = fromAddress.split('@')[1] ?? 'localhost';
  return `<${hash}@${domain}>`;
}

/**
 * Sends each (event, template) email once: a `sending` row in the ledger first (its unique index
 * makes a second delivery of the event see "already sent" or "busy"), then SMTP, then `sent`.
 * The remaining window: a crash after the SMTP server accepted the message but before `sent` is
 * stored leaves a `sending` row; once its lease expires a redelivery sends again (same Message-ID).
 */
export class EmailSender implements EmailSending {
  private readonly brand: Brand;
  private readonly fromAddress: string;
  /** Longer than one SMTP conversation can last, so a live sender is never taken over. */
  private readonly leaseMs: number;

  constructor(
    private readonly deps: {
      ledger: EmailLedger;
      renderer: TemplateRenderer;
      mailer: Mailer;
      config: Pick<
        EmailConfig,
        'from' | 'replyTo' | 'brandName' | 'supportEmail' | 'accountUrl' | 'smtpTimeoutMs'
      >;
      logger: Logger;
      now?: () => Date;
    },
  ) {
    const { config } = deps;
    this.brand = { name: config.brandName, supportEmail: config.supportEmail, accountUrl: config.accountUrl };
    this.fromAddress = addressOf(config.from);
    // connect + greeting + each command are bounded by smtpTimeoutMs; a few of them, plus margin.
    this.leaseMs = config.smtpTimeoutMs * 4 + 10_000;
  }

  async send<K extends TemplateName>(request: EmailRequest<K>): Promise<SendResult> {
    // An event about an erased customer names the placeholder (`.invalid`, undeliverable).
    if (isErasedEmail(request.to)) {
      this.deps.logger.info(
        { eventId: request.eventId, template: request.template },
        'email to an erased customer not sent',
      );
      return { status: 'suppressed' };
    }
    const now = this.deps.now?.() ?? new Date();
    // Render before claiming: a template error must not leave a `sending` row behind.
    const rendered = this.deps.renderer.render(request.template, request.model, this.brand);
    const messageId = stableMessageId(request.eventId, request.template, this.fromAddress);
    const claim = await this.deps.ledger.claim({
      eventId: request.eventId,
      template: request.template,
      to: request.to,
      messageId,
      now,
      leaseMs: this.leaseMs,
    });
    const log = this.deps.logger.child({ eventId: request.eventId, template: request.template });
    if (claim.outcome === 'already_sent') {
      log.info('email already sent');
      return { status: 'already_sent' };
    }
    if (claim.outcome === 'busy') return { status: 'busy' };
    if (claim.outcome === 'erased') {
      // An email owed from before the erasure (its event waited for a retry): not sent any more.
      log.info('email to an erased customer not sent');
      return { status: 'suppressed' };
    }

    try {
      await this.deps.mailer.send({
        from: this.deps.config.from,
        replyTo: this.deps.config.replyTo,
        to: request.to,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        messageId,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Entity-Ref-ID': request.eventId },
      });
    } catch (err) {
      const error = (err as Error).message;
      await this.deps.ledger.markFailed(claim.id, error);
      log.warn({ attempt: claim.attempt, error }, 'email not accepted by SMTP server');
      return { status: 'failed', error };
    }
    await this.deps.ledger.markSent(claim.id, rendered.subject, this.deps.now?.() ?? new Date());
    log.info({ attempt: claim.attempt, messageId }, 'email sent');
    return { status: 'sent' };
  }
}
