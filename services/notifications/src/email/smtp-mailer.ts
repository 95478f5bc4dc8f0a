import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  from: string;
  replyTo: string | undefined;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Full Message-ID header value, `<...@...>`. */
  messageId: string;
  headers: Record<string, string>;
}

/** Hands an email to the SMTP server; resolves once the server accepted it, throws otherwise. */
export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

/** nodemailer over `SMTP_URL` (smtp:// or smtps://, credentials in the URL). */
export function createSmtpMailer(options: { smtpUrl: string; timeoutMs: number }): Mailer {
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  return {
    async send(email) {
      await transport.sendMail({
        from: email.from,
        replyTo: email.replyTo,
        to: email.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
        messageId: email.messageId,
        headers: email.headers,
      });
    },
    close: () => transport.close(),
  };
}
