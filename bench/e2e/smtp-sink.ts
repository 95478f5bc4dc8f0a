import { SMTPServer } from 'smtp-server';
import { freePort, preciseNow } from '@billing/testkit';

export interface SinkEmail {
  /** When the message was complete, epoch ms (same clock as the webhook receiver). */
  at: number;
  to: string[];
  subject: string;
  messageId: string;
  /** The notifications template the subject belongs to, or `other`. */
  template: string;
}

export interface SmtpSink {
  url: string;
  emails: SinkEmail[];
  /** Each message is accepted this long after it arrived, as a relay across the internet is. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

/**
 * Subject patterns of the notifications templates (services/notifications/templates/*.subject.hbs),
 * so an email can be counted per template without parsing its body.
 */
const TEMPLATE_SUBJECTS: ReadonlyArray<[string, RegExp]> = [
  ['purchase-confirmation', /^Your .+ order \S+ is confirmed$/],
  ['subscription-confirmed', /^Welcome to |plan is now /],
  ['subscription-ended', /(subscription|access) has ended$/],
  ['payment-receipt', /^Receipt: /],
  ['payment-failed', /^Action needed: /],
  ['cancellation-confirmed', /subscription is cancelled$/],
  ['refund-confirmed', /has been refunded$|^A refund of /],
];

export function templateOf(subject: string): string {
  return TEMPLATE_SUBJECTS.find(([, pattern]) => pattern.test(subject))?.[0] ?? 'other';
}

/** Subject and Message-ID from the header block (folded lines joined, RFC 5322 section 2.2.3). */
function readHeaders(head: string): { subject: string; messageId: string } {
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const header = (name: string) =>
    new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(unfolded)?.[1]?.trim() ?? '';
  return { subject: header('Subject'), messageId: header('Message-ID') };
}

/**
 * A real SMTP server that records each message's arrival, recipients, subject and Message-ID. It
 * reads only the header block and drops the body, so thousands of emails cost the load generator
 * little (testkit's startSmtpServer parses every message in full, which tests need).
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const port = await freePort();
  const emails: SinkEmail[] = [];
  let latencyMs = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let head = '';
      let headDone = false;
      stream.on('data', (chunk: Buffer) => {
        if (headDone) return;
        head += chunk.toString('utf8');
        const end = head.search(/\r?\n\r?\n/);
        if (end >= 0) {
          head = head.slice(0, end);
          headDone = true;
        }
      });
      stream.on('end', () => {
        const { subject, messageId } = readHeaders(head);
        emails.push({
          at: preciseNow(),
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          subject,
          messageId,
          template: templateOf(subject),
        });
        if (latencyMs > 0) setTimeout(callback, latencyMs);
        else callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    emails,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
