import { BadRequestError, ConflictError, NotFoundError } from '@billing/runtime';

/** The service's own errors; the shared HTTP error handler maps them to JSON answers. */
export class EndpointNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`no webhook endpoint ${id}`, 'endpoint_not_found');
  }
}

export class MessageNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`no webhook message ${id}`, 'message_not_found');
  }
}

/** The URL is not http(s), or points at loopback / private addresses while those are not allowed. */
export class UnsafeUrlError extends BadRequestError {
  constructor(message: string) {
    super(message, 'unsafe_url');
  }
}

export class UnknownEventError extends BadRequestError {
  constructor(names: string[]) {
    super(`unknown event(s): ${names.join(', ')}; see GET /webhooks/event-types`, 'unknown_event');
  }
}

/** Replaying to a disabled endpoint would only fail again: enable it first. */
export class EndpointDisabledError extends ConflictError {
  constructor(id: string) {
    super(`webhook endpoint ${id} is disabled; enable it before replaying`, 'endpoint_disabled');
  }
}
