import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { inSpan, SpanKind, traceContextOf, type Logger } from '@billing/runtime';
import type { DeliveryAttemptRepository } from '../db/delivery-attempt.repository';
import type { WebhookEndpoint } from '../db/webhook-endpoint.model';
import { signingSecrets, type WebhookEndpointRepository } from '../db/webhook-endpoint.repository';
import type { EndpointDirectory } from './endpoint-directory';
import type { WebhookMessageDoc } from '../db/webhook-message.model';
import type { AttemptOutcome, WebhookMessageRepository } from '../db/webhook-message.repository';
import type { SecretBox } from '../db/secret-box';
import type { WebhookMetrics } from '../metrics';
import type { Deliver, DeliveryResult } from './http-delivery';
import { signatureHeaders } from './signing';
import { redactUrl } from './url-safety';

export interface DeliveryWorkerOptions {
  retryScheduleMs: readonly number[];
  disableAfterMs: number;
  pollIntervalMs: number;
  concurrency: number;
  timeoutMs: number;
}

export interface EndpointDisabledNotice {
  endpoint: WebhookEndpoint;
  failingSince: Date;
  disabledAt: Date;
  lastError: string | null;
  messageId: string;
}

export interface DeliveryWorkerDeps {
  messages: WebhookMessageRepository;
  attempts: DeliveryAttemptRepository;
  /** Writes of an endpoint's health (failure streak, automatic disabling). */
  endpoints: Pick<WebhookEndpointRepository, 'recordFailure' | 'recordSuccess' | 'disableFailing'>;
  /** The endpoints as this process knows them; told when a delivery changed one. */
  directory: Pick<EndpointDirectory, 'get' | 'changed'>;
  deliver: Deliver;
  /** Opens the endpoints' stored secrets to sign. */
  secrets: Pick<SecretBox, 'open'>;
  /** Tells the operator (a domain event through the outbox); called before the endpoint is disabled. */
  notifyDisabled: (notice: EndpointDisabledNotice) => Promise<void>;
  logger: Logger;
  /** Counts attempts by endpoint and outcome, and automatic disablings. */
  metrics?: WebhookMetrics;
  now?: () => Date;
}

/**
 * Delivers webhook messages: at once those this process stored (`enqueue`), and the due ones it
 * finds in the database (retries, replays, and first attempts a dead replica left behind).
 * Replicas share the work through the database: attempt n of a message is made by whichever
 * worker first inserts (messageId, n) into delivery_attempts. An attempt left in flight longer
 * than the lease (its worker died) counts as failed.
 */
export class DeliveryWorker {
  private readonly id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Messages this process stored, waiting for a free delivery slot. */
  private readonly queued: WebhookMessageDoc[] = [];
  /** The last scan filled every free slot: more may be due. */
  private moreDue = false;
  /** Messages another worker is attempting right now, skipped until the time given (ms). */
  private readonly heldElsewhere = new Map<string, number>();
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private rescan = false;
  private stopped = true;

  constructor(
    private readonly deps: DeliveryWorkerDeps,
    private readonly options: DeliveryWorkerOptions,
  ) {
    this.log = deps.logger.child({ component: 'webhook-delivery' });
    this.now = deps.now ?? (() => new Date());
    this.leaseMs = options.timeoutMs + 30_000;
  }

  /** How long the replica that stores a message has for its first attempt before others may take it. */
  get firstAttemptHoldMs(): number {
    return this.leaseMs;
  }

  /** Attempts these (just stored) messages as soon as a delivery slot is free. */
  enqueue(messages: readonly WebhookMessageDoc[]): void {
    if (this.stopped) return; // left to the other replicas once their hold ends
    this.queued.push(...messages);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.queued.length > 0 && this.inFlight.size < this.options.concurrency) {
      this.launch(this.queued.shift()!);
    }
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  /** Looks for due messages now (after new messages or a replay) instead of at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = this.scan().finally(() => (this.scanning = undefined));
  }

  /**
   * Stops scanning and waits for the scan under way and the deliveries in flight, so nothing is
   * sent after the database connection closes (an attempt left `in_flight` would be sent again).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queued.length = 0; // other replicas take them once their hold ends
    clearInterval(this.timer);
    await this.scanning;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async scan(): Promise<void> {
    try {
      do {
        this.rescan = false;
        const free = this.options.concurrency - this.inFlight.size - this.queued.length;
        if (free <= 0) {
          this.moreDue = true;
          return;
        }
        const now = this.now().getTime();
        for (const [id, until] of this.heldElsewhere) if (until <= now) this.heldElsewhere.delete(id);
        const skip = [...this.inFlight.keys(), ...this.heldElsewhere.keys()];
        const due = await this.deps.messages.due(this.now(), free, skip);
        if (this.stopped) return;
        this.moreDue = due.length === free;
        for (const message of due) this.launch(message);
      } while (this.rescan && !this.stopped);
    } catch (err) {
      this.log.warn({ err }, 'scan for due webhooks failed');
    }
  }

  private launch(message: WebhookMessageDoc): void {
    const task = this.attempt(message)
      .catch((err) => this.log.error({ err, messageId: message._id }, 'webhook attempt failed unexpectedly'))
      .finally(() => {
        this.inFlight.delete(message._id);
        this.pump();
        // Look again at once only while the database may hold more due messages than fitted.
        if (this.moreDue) this.wake();
      });
    this.inFlight.set(message._id, task);
  }

  private async attempt(message: WebhookMessageDoc): Promise<void> {
    const log = this.log.child({
      messageId: message._id,
      endpointId: message.endpointId,
      event: message.event,
    });
    const endpoint = this.deps.directory.get(message.endpointId);
    if (!endpoint || endpoint.status !== 'enabled') {
      await this.deps.messages.stopPending(message._id, endpoint ? 'endpoint disabled' : 'endpoint deleted');
      log.info({ endpointStatus: endpoint?.status ?? 'deleted' }, 'webhook held: endpoint not enabled');
      return;
    }
    const attemptNumber = message.attemptCount + 1;
    const startedAt = this.now();
    const claim = await this.deps.attempts.claim({
      messageId: message._id,
      endpointId: endpoint._id,
      attemptNumber,
      worker: this.id,
      url: redactUrl(endpoint.url),
      now: startedAt,
    });
    if (!claim) {
      await this.recoverAttempt(message, attemptNumber, log);
      return;
    }

    const signed = this.sign(message, endpoint, startedAt);
    if ('error' in signed) log.error({ error: signed.error }, 'webhook not signed: secret unreadable');
    const result: DeliveryResult =
      'error' in signed
        ? { ok: false, statusCode: null, durationMs: 0, responseSnippet: null, error: signed.error }
        : await inSpan(
            `POST webhook ${message.event}`,
            {
              kind: SpanKind.CLIENT,
              // The trace of the event the message was made for.
              parent: traceContextOf(message.traceContext),
              attributes: {
                'http.request.method': 'POST',
                'billing.webhook.endpoint_id': endpoint._id,
                'billing.webhook.message_id': message._id,
                'billing.webhook.attempt': attemptNumber,
              },
            },
            async (span) => {
              const answer = await this.deps.deliver({
                url: endpoint.url,
                headers: signed.headers,
                body: message.body,
                timeoutMs: this.options.timeoutMs,
              });
              if (answer.statusCode !== null)
                span.setAttribute('http.response.status_code', answer.statusCode);
              return answer;
            },
          );
    const finishedAt = this.now();
    await this.deps.attempts.complete(claim, {
      status: result.ok ? 'succeeded' : 'failed',
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      responseSnippet: result.responseSnippet,
      error: result.error,
      finishedAt,
    });
    const outcome = this.outcomeOf(
      message,
      attemptNumber,
      result.ok,
      finishedAt,
      result.statusCode,
      result.error,
    );
    await this.deps.messages.recordAttempt(message._id, outcome);
    this.deps.metrics?.attempted(
      endpoint._id,
      outcome.status,
      'error' in signed ? null : result.durationMs / 1000,
    );
    const logData = { attempt: attemptNumber, statusCode: result.statusCode, durationMs: result.durationMs };
    if (result.ok) {
      log.info(logData, 'webhook delivered');
      // A success ends a failure streak; a healthy endpoint (the usual case) needs no write.
      if (endpoint.failingSince) {
        await this.deps.endpoints.recordSuccess(endpoint._id);
        await this.deps.directory.changed();
      }
      return;
    }
    log.warn(
      { ...logData, error: result.error, nextAttemptAt: outcome.nextAttemptAt },
      'webhook attempt failed',
    );
    await this.recordFailure(endpoint, message._id, finishedAt, result.error ?? 'failed');
  }

  /**
   * The signature headers, or why there are none: a stored secret that does not open (a key
   * missing from SECRETS_ENCRYPTION_KEYS). That attempt then fails like an unreachable receiver
   * (retried on schedule, counted in the endpoint's failure streak), so it shows in the attempt
   * log and the endpoint's lastError; the messages never contain a secret.
   */
  private sign(
    message: WebhookMessageDoc,
    endpoint: WebhookEndpoint,
    at: Date,
  ): { headers: Record<string, string> } | { error: string } {
    try {
      const secrets = signingSecrets(endpoint, at).map((stored) =>
        this.deps.secrets.open(stored, endpoint._id),
      );
      return { headers: signatureHeaders(message.eventId, message.body, secrets, at) };
    } catch (err) {
      return { error: `not sent: ${(err as Error).message}` };
    }
  }

  /**
   * Attempt n is claimed already. If its worker finished it but died before updating the message,
   * apply the recorded result; if it is in flight past the lease, count it as failed; otherwise
   * another worker is on it.
   */
  private async recoverAttempt(
    message: WebhookMessageDoc,
    attemptNumber: number,
    log: Logger,
  ): Promise<void> {
    const existing = await this.deps.attempts.find(message._id, attemptNumber);
    const now = this.now();
    if (!existing) {
      this.heldElsewhere.set(message._id, now.getTime() + this.options.pollIntervalMs);
      return;
    }
    if (existing.status === 'in_flight') {
      const leaseEnd = existing.startedAt.getTime() + this.leaseMs;
      if (leaseEnd > now.getTime()) {
        this.heldElsewhere.set(message._id, Math.min(leaseEnd, now.getTime() + this.options.pollIntervalMs));
        return;
      }
      await this.deps.attempts.abandon(existing._id, now);
      log.warn(
        { attempt: attemptNumber, worker: existing.worker },
        'abandoned webhook attempt counted as failed',
      );
    }
    const ok = existing.status === 'succeeded';
    const error = ok ? null : (existing.error ?? 'abandoned');
    await this.deps.messages.recordAttempt(
      message._id,
      this.outcomeOf(message, attemptNumber, ok, existing.finishedAt ?? now, existing.statusCode, error),
    );
  }

  private outcomeOf(
    message: WebhookMessageDoc,
    attemptNumber: number,
    ok: boolean,
    at: Date,
    statusCode: number | null,
    error: string | null,
  ): AttemptOutcome {
    if (ok) return { attemptNumber, at, statusCode, error: null, status: 'delivered', nextAttemptAt: null };
    // schedule[k] is the delay before the (k+1)-th attempt of the current schedule run.
    const delay = this.options.retryScheduleMs[attemptNumber - message.scheduleStart];
    if (delay === undefined)
      return { attemptNumber, at, statusCode, error, status: 'failed', nextAttemptAt: null };
    return {
      attemptNumber,
      at,
      statusCode,
      error,
      status: 'pending',
      nextAttemptAt: new Date(at.getTime() + delay),
    };
  }

  /** Extends the endpoint's failure streak; disables it once the streak is long enough. */
  private async recordFailure(
    endpoint: WebhookEndpoint,
    messageId: string,
    at: Date,
    error: string,
  ): Promise<void> {
    const failingSince = await this.deps.endpoints.recordFailure(endpoint, at, error);
    // Every replica must know a streak started, or a later success would not end it.
    if (!endpoint.failingSince) await this.deps.directory.changed();
    if (at.getTime() - failingSince.getTime() < this.options.disableAfterMs) return;
    // The notice is stored (outbox) before disabling: a crash in between repeats the same notice
    // (same id) on the next failure instead of disabling silently.
    await this.deps.notifyDisabled({ endpoint, failingSince, disabledAt: at, lastError: error, messageId });
    if (await this.deps.endpoints.disableFailing(endpoint, at)) {
      this.deps.metrics?.disabled(endpoint._id);
      await this.deps.directory.changed();
      await this.deps.messages.stopPendingOfEndpoint(endpoint._id, 'endpoint disabled');
      this.log.warn(
        { endpointId: endpoint._id, url: redactUrl(endpoint.url), failingSince, lastError: error },
        'webhook endpoint disabled after failing too long',
      );
    }
  }
}
