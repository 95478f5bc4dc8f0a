/**
 * Errors that carry their HTTP meaning. Each transport maps them in one place:
 * Fastify's error handler (http.ts) and the consumer runner (runner.ts).
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown; details?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
  readonly details: unknown;
}

export class BadRequestError extends AppError {
  constructor(message: string, code = 'bad_request', options?: { cause?: unknown; details?: unknown }) {
    super(400, code, message, options);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'missing or invalid bearer token') {
    super(401, 'unauthorized', message);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, code = 'not_found') {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string, code = 'unavailable', options?: { cause?: unknown }) {
    super(503, code, message, options);
  }
}

/**
 * Thrown by a handler for input that can never succeed (malformed, contradicts our contract):
 * the runner parks the message instead of retrying it.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** MongoDB duplicate key (E11000): the unique index says "already done". */
export function isDuplicateKeyError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; writeErrors?: Array<{ code?: unknown; err?: { code?: unknown } }> };
  if (e.code === 11000) return true;
  return (
    Array.isArray(e.writeErrors) &&
    e.writeErrors.length > 0 &&
    e.writeErrors.every((w) => w.code === 11000 || w.err?.code === 11000)
  );
}

/**
 * "Try again later", thrown by a handler or what it calls (a dependency's API could not answer, a
 * contended write): the bound handler reports it as a `retry` outcome with its message (see
 * bindHandlers), so the runner hands the message back with backoff and parks it only after the
 * retry period, and a replay answers `retry`.
 */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
