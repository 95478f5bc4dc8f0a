import nodemailer from 'nodemailer';
import { inSpan, SpanKind } from '@billing/runtime';
import { scrubSmtpPassword } from './smtp-url';

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

/**
 * The connection settings in `SMTP_URL` (smtp:// or smtps://, credentials in the URL). Parsed here
 * rather than handed to nodemailer as `url`, which would drop every other option (timeouts, pool).
 */
export function smtpConnection(smtpUrl: string, options: { requireTls: boolean }) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    // Without it nodemailer sends in clear when the server does not offer STARTTLS, which is what
    // a man in the middle makes it say ("STARTTLS stripping"). smtps:// is TLS from the start.
    requireTLS: !secure && options.requireTls,
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
  };
}

/**
 * nodemailer over `SMTP_URL`, with a small pool of connections kept open between emails: a
 * connection (with its greeting, TLS handshake and login) per email cost more than the email.
 */
export function createSmtpMailer(options: {
  smtpUrl: string;
  timeoutMs: number;
  requireTls: boolean;
}): Mailer {
  const transport = nodemailer.createTransport({
    ...smtpConnection(options.smtpUrl, { requireTls: options.requireTls }),
    pool: true,
    maxConnections: 4,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  return {
    send(email) {
      // A client span of the event's trace; no address or content on it.
      const attributes = {
        'server.address': new URL(options.smtpUrl).hostname,
        'smtp.message_id': email.messageId,
      };
      return inSpan('smtp send', { kind: SpanKind.CLIENT, attributes }, async () => {
        try {
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
        } catch (err) {
          // The message is logged and kept in the ledger; the error object itself goes no further.
          throw new Error(scrubSmtpPassword((err as Error).message, options.smtpUrl));
        }
      });
    },
    close: () => transport.close(),
  };
}
