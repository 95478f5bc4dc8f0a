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

/**
 * The connection settings in `SMTP_URL` (smtp:// or smtps://, credentials in the URL). Parsed here
 * rather than handed to nodemailer as `url`, which would drop every other option (timeouts, pool).
 */
export function smtpConnection(smtpUrl: string) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
  };
}

/**
 * nodemailer over `SMTP_URL`, with a small pool of connections kept open between emails: a
 * connection (with its greeting, TLS handshake and login) per email cost more than the email.
 */
export function createSmtpMailer(options: { smtpUrl: string; timeoutMs: number }): Mailer {
  const transport = nodemailer.createTransport({
    ...smtpConnection(options.smtpUrl),
    pool: true,
    maxConnections: 4,
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
