import { PermanentError } from './errors';

/**
 * How long and how often a message that failed for a passing reason (a dependency down, an
 * upstream event not there yet) is tried again before it is parked: exponential backoff from
 * `baseMs`, capped at `maxDelayMs`, with jitter, for about `retryForMs` in all. Stripe itself
 * retries a webhook for 3 days, so the default outlasts any outage Stripe would.
 */
export interface RetryPolicy {
  baseMs: number;
  maxDelayMs: number;
  retryForMs: number;
}

const DAY = 24 * 60 * 60 * 1000;

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  baseMs: 1000,
  maxDelayMs: 60 * 60 * 1000,
  retryForMs: 3 * DAY,
});

/** The delay before the next attempt, once `failedAttempts` attempts have failed (1 or more). */
function exponential(failedAttempts: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.min(Math.max(failedAttempts - 1, 0), 40));
}

/**
 * The delay before the next attempt: half the exponential delay plus a random part of the other
 * half ("equal jitter"), so that messages that failed together do not all come back together.
 */
export function retryDelayMs(
  failedAttempts: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const delay = exponential(failedAttempts, policy);
  return Math.round(delay / 2 + (random() * delay) / 2);
}

/**
 * How many deliveries a message gets before it is parked: as many as fit in `retryForMs` with
 * each delay at its expected length. Counted from JetStream's delivery count, so the budget
 * survives restarts and is shared by every replica.
 */
export function maxDeliveries(policy: RetryPolicy): number {
  let elapsed = 0;
  let deliveries = 1;
  while (elapsed < policy.retryForMs && deliveries < 100_000) {
    elapsed += (exponential(deliveries, policy) * 3) / 4;
    deliveries += 1;
  }
  return deliveries;
}

/** Why a handler failed, as far as retrying goes. */
export type FailureKind = 'permanent' | 'bug' | 'transient';

/**
 * A `PermanentError` can never succeed; a programming error (TypeError, ReferenceError, ...) will
 * throw on every attempt, so retrying only delays the operator's fix; anything else (network,
 * database, a dependency's error answer) may pass. A TypeError that wraps a system error (as
 * `fetch` reports network failures) is transient.
 */
export function classifyFailure(err: unknown): FailureKind {
  if (err instanceof PermanentError) return 'permanent';
  const programming =
    err instanceof TypeError ||
    err instanceof ReferenceError ||
    err instanceof RangeError ||
    err instanceof SyntaxError ||
    err instanceof EvalError;
  if (programming && (err as Error & { cause?: unknown }).cause === undefined) return 'bug';
  return 'transient';
}
