import { isIP } from 'node:net';
import { parseV6 } from '../webhooks/url-safety';

/**
 * True for `localhost`, 127.0.0.0/8 and ::1 (also IPv4-mapped): a mail server on the same
 * machine, where nobody sits between us and it to strip STARTTLS, and which (like the local SMTP
 * catcher) often offers no TLS at all.
 */
export function isLoopbackHost(hostname: string): boolean {
  // URL keeps the brackets of an IPv6 host and (for smtp:, not a "special" scheme) the case.
  const host = hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) !== 6) return false;
  const g = parseV6(host);
  const zerosUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zerosUpTo(7) && g[7] === 1) return true; // ::1
  return zerosUpTo(5) && g[5] === 0xffff && g[6]! >> 8 === 127; // ::ffff:127.x.x.x
}

/** `SMTP_URL` with its password masked, for log lines: `smtp://user:***@host:587`. */
export function redactSmtpUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '[invalid url]';
  }
}

/**
 * An SMTP error message with the password of `smtpUrl` masked wherever it occurs (raw or
 * percent-encoded). nodemailer does not put credentials into its messages, but a server's answer
 * (which the message quotes) is outside our control, and these messages are logged and stored.
 */
export function scrubSmtpPassword(message: string, smtpUrl: string): string {
  let password: string;
  try {
    password = new URL(smtpUrl).password;
  } catch {
    return message;
  }
  if (!password) return message;
  const forms = new Set([password, safeDecode(password)].filter((p) => p.length > 0));
  let scrubbed = message;
  for (const form of forms) scrubbed = scrubbed.split(form).join('***');
  return scrubbed;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
