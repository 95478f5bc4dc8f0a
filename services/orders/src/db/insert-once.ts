import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@billing/runtime';

/**
 * Inserts a document whose unique key names something that must happen once. Returns false when
 * it already exists (E11000): the duplicate is "already done", not an error.
 */
export async function insertOnce<D>(model: Model<D>, doc: D): Promise<boolean> {
  try {
    await model.create(doc);
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/** Lean documents keep the key as `_id`; the service's objects name it. */
export function renameId<D extends { _id: string }, K extends string>(
  doc: D,
  key: K,
): Omit<D, '_id'> & Record<K, string> {
  const { _id, ...rest } = doc;
  return { ...rest, [key]: _id } as Omit<D, '_id'> & Record<K, string>;
}
