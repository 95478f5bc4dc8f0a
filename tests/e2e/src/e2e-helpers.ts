import {
  registerWebhookEndpoint,
  startFakeStripe,
  startNatsServer,
  startSmtpServer,
  startSystem,
  startWebhookReceiver,
  testEnv,
  waitFor,
  type FakeStripe,
  type NatsServer,
  type ReceivedMail,
  type ReceivedWebhook,
  type RunningSystem,
  type SystemOptions,
  type TestSmtpServer,
  type WebhookReceiver,
} from '@billing/testkit';

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

/** The system under test and what surrounds it. */
export interface World {
  nats: NatsServer;
  smtp: TestSmtpServer;
  fake: FakeStripe;
  /** Verifies every delivery with the standardwebhooks package; registered as an endpoint. */
  receiver: WebhookReceiver;
  system: RunningSystem;
  endpointId: string;
  stop(): Promise<void>;
}

/**
 * The four services (and the dashboard when asked) as processes on their own NATS, with each
 * service's NATS identity, the run's store, an SMTP server, the fake Stripe API, and a webhook
 * receiver registered as an endpoint for every event.
 */
export async function startWorld(options: Pick<SystemOptions, 'env' | 'dashboard'> = {}): Promise<World> {
  const [nats, smtp, fake, receiver] = await Promise.all([
    startNatsServer(),
    startSmtpServer(),
    startFakeStripe(),
    startWebhookReceiver(),
  ]);
  const system = await startSystem({
    natsUrl: nats.url,
    natsUrlFor: (service) => nats.urlFor(service),
    mongoUrl: testEnv().mongoUrl,
    smtpUrl: smtp.url,
    stripeApiUrl: fake.url,
    ...options,
  });
  const endpoint = await registerWebhookEndpoint(system, receiver.url);
  receiver.setSecret(endpoint.secret);
  return {
    nats,
    smtp,
    fake,
    receiver,
    system,
    endpointId: endpoint.id,
    async stop() {
      await system.stop();
      await Promise.allSettled([nats.destroy(), smtp.close(), fake.close(), receiver.close()]);
    },
  };
}
