import Stripe from 'stripe';
import { stripeEventValidator, type StripeEventShape } from '@billing/contracts';
import { ServiceUnavailableError, type Logger } from '@billing/runtime';

/** A range of event creation times, in Unix seconds, both ends included. */
export interface CreatedRange {
  since: number;
  until: number;
}

/** Pages of Stripe's events, newest first. */
export interface StripeEventLister {
  list(range: CreatedRange): AsyncIterable<StripeEventShape[]>;
}

const PAGE_SIZE = 100;
/** Stripe's `types` filter takes at most 20 types. */
const MAX_TYPES = 20;
const MAX_ATTEMPTS = 6;
const MAX_WAIT_MS = 60_000;

/**
 * Lists `GET /v1/events` for the given types and creation range, page by page. A 429 waits what
 * Stripe's `Retry-After` says (or backs off exponentially), as do 5xx answers and network errors;
 * after six attempts the error ends the listing. Stripe keeps events 30 days, so an older range
 * yields nothing.
 * @see https://docs.stripe.com/api/events/list
 * @see https://docs.stripe.com/rate-limits
 */
export function stripeEventLister(
  stripe: Stripe,
  types: readonly string[],
  logger: Pick<Logger, 'warn'>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): StripeEventLister {
  if (types.length === 0 || types.length > MAX_TYPES)
    throw new Error(`Stripe lists events of 1 to ${MAX_TYPES} types at once, got ${types.length}`);
  const wanted = new Set(types);
  const page = async (range: CreatedRange, startingAfter: string | undefined) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await stripe.events.list({
          created: { gte: range.since, lte: range.until },
          types: [...types],
          limit: PAGE_SIZE,
          ...(startingAfter && { starting_after: startingAfter }),
        });
      } catch (err) {
        if (!isPassing(err) || attempt >= MAX_ATTEMPTS) {
          const message = err instanceof Error ? err.message : String(err);
          throw new ServiceUnavailableError(`Stripe's Events API: ${message}`, 'stripe_unavailable', {
            cause: err,
          });
        }
        const waitMs = retryAfterMs(err) ?? Math.min(MAX_WAIT_MS, 1000 * 2 ** (attempt - 1));
        logger.warn({ err, attempt, waitMs }, 'listing Stripe events failed: waiting before the next try');
        await sleep(waitMs);
      }
    }
  };
  return {
    async *list(range) {
      let startingAfter: string | undefined;
      for (;;) {
        const answer = await page(range, startingAfter);
        const events = answer.data as unknown[];
        const valid = events.filter((event): event is StripeEventShape => {
          if (!stripeEventValidator.check(event)) {
            const reason = stripeEventValidator.explain(event);
            logger.warn({ reason }, 'Stripe listed an event of unknown shape');
            return false;
          }
          // Stripe filters by both already; a test double (stripe-mock) may not.
          return wanted.has(event.type) && event.created >= range.since && event.created <= range.until;
        });
        if (valid.length > 0) yield valid;
        const last = answer.data.at(-1);
        if (!answer.has_more || !last) return;
        startingAfter = last.id;
      }
    },
  };
}

/** Rate limits, Stripe's own errors, network trouble: worth another try. */
function isPassing(err: unknown): boolean {
  if (err instanceof Stripe.errors.StripeRateLimitError) return true;
  if (err instanceof Stripe.errors.StripeConnectionError) return true;
  if (err instanceof Stripe.errors.StripeAPIError) return true;
  return err instanceof Stripe.errors.StripeError && (err.statusCode ?? 0) >= 500;
}

function retryAfterMs(err: unknown): number | undefined {
  if (!(err instanceof Stripe.errors.StripeError)) return undefined;
  const value = (err.headers as Record<string, string | undefined> | undefined)?.['retry-after'];
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Math.min(MAX_WAIT_MS, Number(value) * 1000);
}
