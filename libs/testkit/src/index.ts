export * from './paths';
export * from './wait';
export * from './processes';
export * from './env';
export * from './stripe-signing';
export * from './smtp';
export * from './fake-stripe';
export * from './jetstream';
export * as stripeFixtures from './stripe';
