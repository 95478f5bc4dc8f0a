/**
 * Pre-loads the databases of orders, licensing and notifications with what the services would
 * have written for K past checkouts of the benchmark product, before the services start. Every
 * document goes through the services' own mongoose models (imported from their builds), so
 * mongoose validates it and a schema change breaks the loader loudly instead of silently loading
 * something the services would never have written. What each service gets is listed in
 * history-orders.ts, history-licensing.ts and history-notifications.ts.
 */
import type { KeyObject } from 'node:crypto';
import mongoose, { type Connection, type Model } from 'mongoose';
import { Outbox, ParkedStore, createLogger, ensureIndexes } from '@billing/runtime';
import { newLicenseId } from '@billing/licensing/dist/app';
import { preciseNow, stripeFixtures as sf, type DatabaseServiceName } from '@billing/testkit';
import { loadLicensingHistory } from './history-licensing';
import { loadNotificationsHistory } from './history-notifications';
import { loadOrdersHistory } from './history-orders';

/** One past checkout: the Stripe ids and times the services' documents are derived from. */
export interface PastCheckout {
  sessionId: string;
  paymentIntentId: string;
  lineItemId: string;
  /** The one license of its one line (one unit). */
  licenseId: string;
  /** Checkout creates a new Stripe customer per session, also for a returning email. */
  stripeCustomerId: string;
  email: string;
  customerName: string;
  /** The email's first purchase: licensing announced its tier change (FREE to PRO) then. */
  firstOfEmail: boolean;
  checkoutEventId: string;
  paymentIntentEventId: string;
  sessionCreated: Date;
  /** `created` of payment_intent.succeeded. */
  paidAt: Date;
  /** `created` of checkout.session.completed. */
  completedAt: Date;
  /** When the services handled it (a second after Stripe sent it). */
  handledAt: Date;
}

export interface HistoryTarget {
  mongoUrl: string;
  databases: Record<DatabaseServiceName, string>;
  /** The key licensing signs with in the run, so the history's license keys verify too. */
  signingKey: KeyObject;
  /** The webhook endpoint of the run; history deliveries went to it. */
  endpoint: { id: string; secret: string; url: string };
}

/** History is spread over the last 7 days. */
const HISTORY_SPAN_MS = 7 * 24 * 60 * 60 * 1000;
/** About one checkout in seven is a returning customer: mostly distinct customers. */
const RETURNING_SHARE = 0.15;

/** A small deterministic generator (LCG), so repeated runs load comparable histories. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

export function pastCheckouts(count: number, now = Date.now()): PastCheckout[] {
  const next = random(2024);
  let customers = 0;
  const out: PastCheckout[] = [];
  for (let i = 0; i < count; i++) {
    const returning = customers > 0 && next() < RETURNING_SHARE;
    const customer = returning ? Math.floor(next() * customers) : customers++;
    const completed = Math.floor((now - HISTORY_SPAN_MS + (i * HISTORY_SPAN_MS) / count) / 1000);
    out.push({
      sessionId: sf.checkoutSessionId(),
      paymentIntentId: sf.paymentIntentId(),
      lineItemId: sf.checkoutLineItemId(),
      licenseId: newLicenseId(),
      stripeCustomerId: sf.customerId(),
      email: `customer-${customer}@history.example.com`,
      customerName: `Customer ${customer}`,
      firstOfEmail: !returning,
      checkoutEventId: sf.eventId(),
      paymentIntentEventId: sf.eventId(),
      sessionCreated: new Date((completed - 92) * 1000),
      paidAt: new Date((completed - 1) * 1000),
      completedAt: new Date(completed * 1000),
      handledAt: new Date((completed + 1) * 1000),
    });
  }
  return out;
}

/**
 * Opens a service's database, registers its models and the runtime's outbox and parked-message
 * models on it (as the service does at start), and creates every index first, so the inserts
 * maintain them like the services' own writes would.
 */
export async function openServiceDb(
  mongoUrl: string,
  dbName: string,
  registerModels: (db: Connection) => void,
): Promise<Connection> {
  const db = mongoose.createConnection(mongoUrl, { dbName, autoIndex: false });
  await db.asPromise();
  const logger = createLogger({ service: 'bench-history', version: '0', level: 'warn' });
  const noPublisher = {
    check: () => undefined,
    publish: () => Promise.reject(new Error('the history loader publishes nothing')),
  };
  new Outbox(db, noPublisher, logger);
  new ParkedStore(db);
  registerModels(db);
  await ensureIndexes(db);
  return db;
}

/** insertMany in batches of 1000, unordered; returns the number of documents written. */
export async function insertBatches<T>(model: Model<T>, docs: readonly object[]): Promise<number> {
  for (let i = 0; i < docs.length; i += 1000) {
    await model.insertMany(docs.slice(i, i + 1000), { ordered: false });
  }
  return docs.length;
}

/** Splits `items` into chunks, so a large history is built and written a piece at a time. */
export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Loads K past checkouts into the three databases; returns documents written per collection. */
export async function loadHistory(count: number, target: HistoryTarget): Promise<Record<string, number>> {
  const started = preciseNow();
  const checkouts = pastCheckouts(count);
  const written = await Promise.all([
    loadOrdersHistory(checkouts, target),
    loadLicensingHistory(checkouts, target),
    loadNotificationsHistory(checkouts, target),
  ]);
  const documents = Object.assign({}, ...written) as Record<string, number>;
  const total = Object.values(documents).reduce((a, b) => a + b, 0);
  const seconds = (preciseNow() - started) / 1000;
  console.log(
    `history: ${count} past checkouts, ${total} documents in ${seconds.toFixed(1)} s ` +
      `(${Math.round(total / seconds)} docs/s)`,
  );
  return documents;
}
