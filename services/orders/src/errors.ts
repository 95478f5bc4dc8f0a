import { TransientError } from '@billing/runtime';

/**
 * Errors of the orders service. HTTP errors come from @billing/runtime (`AppError` and its
 * subclasses, mapped once by the shared Fastify error handler); this file holds what the consumer
 * edge maps: a `TransientError` is a `retry` outcome (see bindHandlers), `PermanentError` is parked.
 */

/** Stripe's API could not answer (network, 5xx, rate limit, or a 4xx we cannot act on yet). */
export class StripeApiError extends TransientError {
  constructor(
    readonly operation: string,
    readonly statusCode: number | null,
    options?: { cause?: unknown },
  ) {
    const cause = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`stripe ${operation} failed${statusCode ? ` (${statusCode})` : ''}${cause}`, options);
  }
}

/** The stock ledger of one sku stayed contended for too many attempts; the message is retried. */
export class StockContentionError extends TransientError {
  constructor(readonly sku: string) {
    super(`stock ledger of ${sku} is contended, try again`);
  }
}
