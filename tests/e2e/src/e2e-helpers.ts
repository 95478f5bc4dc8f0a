import type { ReceivedMail, ReceivedWebhook, TestSmtpServer, WebhookReceiver } from '@billing/testkit';
import { waitFor } from '@billing/testkit';

/** Emails to one address whose subject matches, once at least `count` are there. */
export function mailsTo(smtp: TestSmtpServer, to: string, subject: RegExp): ReceivedMail[] {
  return smtp.messages.filter((m) => m.envelopeTo.includes(to) && subject.test(m.parsed.subject ?? ''));
}

export async function waitForMail(smtp: TestSmtpServer, to: string, subject: RegExp): Promise<ReceivedMail> {
  const [mail] = await waitFor(() => mailsTo(smtp, to, subject).length > 0 && mailsTo(smtp, to, subject), {
    timeoutMs: 30_000,
    what: `an email to ${to} with subject ${subject}`,
  });
  return mail!;
}

export function hooks(
  receiver: WebhookReceiver,
  event: string,
  match: (data: Record<string, unknown>) => boolean,
) {
  return receiver.received.filter((h) => h.event === event && match(h.data));
}

export async function waitForHook(
  receiver: WebhookReceiver,
  event: string,
  match: (data: Record<string, unknown>) => boolean,
): Promise<ReceivedWebhook> {
  const [hook] = await waitFor(
    () => hooks(receiver, event, match).length > 0 && hooks(receiver, event, match),
    {
      timeoutMs: 30_000,
      what: `a verified ${event} webhook`,
    },
  );
  return hook!;
}

/** Lets in-flight work settle, so "nothing extra arrived" assertions mean something. */
export const settle = (ms = 2000) => new Promise((resolve) => setTimeout(resolve, ms));

export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
