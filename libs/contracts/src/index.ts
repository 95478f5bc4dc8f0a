export * from './schema';
export * from './envelope';
export * from './stripe';
export * from './streams';
export * from './consumers';
export * from './declare';
export * from './orders.events';
export * from './licensing.events';
