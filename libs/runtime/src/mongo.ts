import mongoose, { type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError } from './errors';
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
  try {
    await conn.asPromise();
  } catch (err) {
    // Not reachable: release the half-open connection before the caller tries again.
    await conn.close().catch(() => undefined);
    throw err;
  }
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

/**
 * Inserts a whole document; false when one of its unique keys exists already (E11000), which the
 * services read as "already done" (README, "Exactly once").
 *
 * The document goes straight to the driver, so it must be complete: every field of the model's
 * type, `null` where empty. On this hot path mongoose's document layer (defaults, casting,
 * validation of a document object) cost as much as the round trip itself; the model's TypeScript
 * type is the check instead, and mongoose still declares the collection and its indexes.
 */
export async function insertOnce<D extends { _id: unknown }>(model: Model<D>, doc: D): Promise<boolean> {
  const collection = model.collection as unknown as mongoose.mongo.Collection<D>;
  try {
    await collection.insertOne(doc as mongoose.mongo.OptionalUnlessRequiredId<D>);
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}
