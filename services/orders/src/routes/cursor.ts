import { BadRequestError } from '@billing/runtime';

/** Opaque page cursors: base64url JSON of the last item's sort key. */
export function encodeCursor(value: Record<string, string>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Keys whose value must be an ISO date (sort keys that are times). */
const DATE_KEYS = new Set(['createdAt']);

export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string> {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const valid = keys.every(
      (k) =>
        typeof value[k] === 'string' && (!DATE_KEYS.has(k) || !Number.isNaN(Date.parse(value[k] as string))),
    );
    if (valid) return value as Record<K, string>;
  } catch {
    // fall through
  }
  throw new BadRequestError('cursor is not one this API returned', 'invalid_cursor');
}
