import { randomBytes } from 'node:crypto';

/** URLs the integration global setup chose for this run. */
export function testEnv(): { natsUrl: string; mongoUrl: string; stripeMockUrl: string } {
  const natsUrl = process.env.TEST_NATS_URL;
  const mongoUrl = process.env.TEST_MONGO_URL;
  const stripeMockUrl = process.env.TEST_STRIPE_MOCK_URL;
  if (!natsUrl || !mongoUrl || !stripeMockUrl) {
    throw new Error('integration infrastructure missing: run through the jest "integration" project');
  }
  return { natsUrl, mongoUrl, stripeMockUrl };
}

/** A unique, Mongo-safe name for a test's own database. */
export function uniqueDbName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
