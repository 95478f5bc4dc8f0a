/** Lean documents keep the key as `_id`; the service's objects name it. */
export function renameId<D extends { _id: string }, K extends string>(
  doc: D,
  key: K,
): Omit<D, '_id'> & Record<K, string> {
  const { _id, ...rest } = doc;
  return { ...rest, [key]: _id } as Omit<D, '_id'> & Record<K, string>;
}
