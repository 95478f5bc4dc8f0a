import type { Codec } from './codecs';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  PermanentError,
  ServiceUnavailableError,
} from './errors';
import type { Logger } from './logger';
import type { ParkedStore } from './parked';
import type { Handler, Outcome } from './runner';

export interface ReplayDeps<E> {
  store: ParkedStore;
  codec: Codec<E>;
  handlers: Readonly<Record<string, Handler<E>>>;
  logger: Logger;
}

/**
 * Runs a parked message through its handler again, in this process. Handlers are idempotent,
 * so replaying something that has since been applied changes nothing.
 */
export async function replayParked<E>(deps: ReplayDeps<E>, id: string): Promise<Outcome> {
  const record = await deps.store.get(id);
  if (!record) throw new NotFoundError(`no parked message ${id}`);
  const decoded = deps.codec.decode(record.subject, new TextEncoder().encode(record.data));
  if (!decoded.ok)
    throw new BadRequestError(`parked message cannot be decoded: ${decoded.error}`, 'undecodable');
  const handler = deps.handlers[decoded.route];
  if (!handler) throw new BadRequestError(`no handler for ${decoded.route}`, 'no_handler');
  const logger = deps.logger.child({ eventId: decoded.messageId, replayOf: id });
  let outcome: Outcome;
  try {
    outcome = await handler(decoded.event, {
      messageId: decoded.messageId,
      correlationId: decoded.correlationId,
      subject: record.subject,
      deliveryCount: record.deliveryCount + 1,
      logger,
    });
  } catch (err) {
    logger.warn({ err }, 'parked message replay failed');
    if (err instanceof PermanentError) {
      throw new ConflictError(`the message cannot be applied: ${err.message}`, 'permanent_failure');
    }
    throw new ServiceUnavailableError('replay failed, try again later', 'replay_failed', { cause: err });
  }
  if (outcome.status !== 'retry') await deps.store.markReplayed(id, outcome.status);
  logger.info({ outcome: outcome.status }, 'parked message replayed');
  return outcome;
}
