import mongoose, { type Connection } from 'mongoose';
import type { Logger } from './logger';

/**
 * One connection per service, to its own database. Indexes are created before the service
 * handles anything, because idempotency rests on the unique ones.
 */
export async function connectMongo(
  target: { url: string; dbName: string },
  logger: Logger,
): Promise<Connection> {
  const conn = mongoose.createConnection(target.url, {
    dbName: target.dbName,
    serverSelectionTimeoutMS: 10_000,
    autoIndex: false,
  });
  await conn.asPromise();
  conn.on('disconnected', () => logger.warn({ db: target.dbName }, 'mongo disconnected'));
  conn.on('reconnected', () => logger.info({ db: target.dbName }, 'mongo reconnected'));
  return conn;
}

/** Creates the declared indexes of every model registered on the connection. */
export async function ensureIndexes(conn: Connection): Promise<void> {
  for (const model of Object.values(conn.models)) await model.createIndexes();
}

export function isMongoReady(conn: Connection): boolean {
  return conn.readyState === mongoose.ConnectionStates.connected;
}
