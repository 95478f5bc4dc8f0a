import { UpstreamError } from '../upstream/api-client';
import { STRIPE_SERVICES } from '../upstream/services';
import { STRIPE_REPLAY_OUTCOMES, type StripeReplayAnswer, type StripeReplayOutcome } from '../upstream/types';

export type StripeService = (typeof STRIPE_SERVICES)[number];

/** What one service answered to a replay, counted: events run again, or why not. */
export type ServiceReplay =
  | {
      service: StripeService;
      replayed: number;
      counts: Array<{ consumer: string; outcome: StripeReplayOutcome; events: number }>;
    }
  | { service: StripeService; error: string };

/** Counts a service's answer by consumer and outcome (the reasons stay in its handled-message log). */
export function countReplay(service: StripeService, answer: StripeReplayAnswer): ServiceReplay {
  const counts = new Map<string, { consumer: string; outcome: StripeReplayOutcome; events: number }>();
  for (const item of answer.items) {
    const key = `${item.consumer} ${item.outcome}`;
    const entry = counts.get(key) ?? { consumer: item.consumer, outcome: item.outcome, events: 0 };
    entry.events += 1;
    counts.set(key, entry);
  }
  return { service, replayed: answer.replayed, counts: [...counts.values()] };
}

/** A failed call as a code the page can show (`unreachable` without an answer); others rethrown. */
export function replayFailure(service: StripeService, err: unknown): ServiceReplay {
  if (err instanceof UpstreamError) return { service, error: err.code };
  throw err;
}

/*
 * The result travels in the redirect's `replay` query parameter, so reloading the page repeats
 * nothing: comma-separated `orders=1` (events run again), `orders:orders-stripe:done=1` (events per
 * consumer and outcome), `licensing!unreachable` (the call failed). Only this grammar is read
 * back, so a crafted link can show counts but no words of its own.
 */
const SERVICE = `(${STRIPE_SERVICES.join('|')})`;
const TOTAL = new RegExp(`^${SERVICE}=(\\d{1,6})$`);
const COUNT = new RegExp(
  `^${SERVICE}:([A-Za-z0-9_.-]{1,100}):(${STRIPE_REPLAY_OUTCOMES.join('|')})=(\\d{1,6})$`,
);
const FAILED = new RegExp(`^${SERVICE}!([a-z0-9_]{1,64})$`);

export function encodeReplay(results: readonly ServiceReplay[]): string {
  return results
    .flatMap((r) =>
      'error' in r
        ? [`${r.service}!${r.error}`]
        : [
            `${r.service}=${r.replayed}`,
            ...r.counts.map((c) => `${r.service}:${c.consumer}:${c.outcome}=${c.events}`),
          ],
    )
    .join(',');
}

/** The results a `replay` parameter names, in service order; undefined when it is not one. */
export function decodeReplay(param: string | undefined): ServiceReplay[] | undefined {
  if (!param || param.length > 2000) return undefined;
  const byService = new Map<StripeService, ServiceReplay>();
  for (const entry of param.split(',')) {
    let match: RegExpExecArray | null;
    if ((match = FAILED.exec(entry))) {
      const service = match[1] as StripeService;
      byService.set(service, { service, error: match[2]! });
    } else if ((match = TOTAL.exec(entry))) {
      const service = match[1] as StripeService;
      byService.set(service, { service, replayed: Number(match[2]), counts: [] });
    } else if ((match = COUNT.exec(entry))) {
      const known = byService.get(match[1] as StripeService);
      if (!known || 'error' in known) return undefined;
      known.counts.push({
        consumer: match[2]!,
        outcome: match[3] as StripeReplayOutcome,
        events: Number(match[4]),
      });
    } else {
      return undefined;
    }
  }
  return STRIPE_SERVICES.flatMap((s) => byService.get(s) ?? []);
}
