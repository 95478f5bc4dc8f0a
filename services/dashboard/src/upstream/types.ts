/**
 * What the dashboard reads of the other services' JSON answers: only the fields its pages show.
 * The services own these shapes (their READMEs and OpenAPI documents); services never import each
 * other, so they are restated here, as any API client would.
 */

export interface OrderLine {
  lineId: string;
  description: string;
  quantity: number;
  unitAmount: number | null;
  amountTotal: number;
  currency: string;
  sku: string | null;
  productName: string | null;
  kind: string | null;
  tier: string | null;
  unmapped: boolean;
}

export interface Order {
  orderId: string;
  checkoutSessionId: string;
  status: string;
  paymentStatus: string;
  mode: string;
  customerEmail: string;
  customerName: string | null;
  stripeCustomerId: string | null;
  subscriptionId: string | null;
  amountTotal: number;
  amountPaid: number;
  amountRefunded: number;
  currency: string;
  lines: OrderLine[];
  currentPeriodEnd: string | null;
  createdAt: string;
  confirmedAt: string | null;
  cancelledAt: string | null;
  lastPaymentFailure: { message?: string | null; code?: string | null; failedAt: string } | null;
}

export interface Payment {
  paymentId: string;
  orderId: string;
  source: string;
  billingReason: string | null;
  amount: number;
  currency: string;
  periodEnd: string | null;
  paidAt: string;
}

export interface Refund {
  refundId: string;
  chargeId: string;
  amount: number;
  currency: string;
  full: boolean;
  refundedAt: string;
}

export interface OrderDetail extends Order {
  payments: Payment[];
  refunds: Refund[];
}

export interface Customer {
  email: string;
  name: string | null;
  stripeCustomerIds: string[];
  createdAt: string;
  orders: Order[];
  payments: Payment[];
}

export interface License {
  licenseId: string;
  key: string;
  status: string;
  revokeReason: string | null;
  productSku: string;
  productName: string;
  tier: string | null;
  orderId: string;
  subscriptionId: string | null;
  customerEmail: string;
  expiresAt: string | null;
  issuedAt: string;
}

export interface Machine {
  fingerprint: string;
  name: string | null;
  slot: number;
  activatedAt: string;
}

export interface Endpoint {
  id: string;
  url: string;
  events: string[];
  description: string;
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  disabledAt: string | null;
  failingSince: string | null;
  lastError: string | null;
  secrets: Array<{ createdAt: string; expiresAt: string | null }>;
  createdAt: string;
}

export interface WebhookMessage {
  id: string;
  eventId: string;
  event: string;
  endpointId: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  payload: { data?: Record<string, unknown> } & Record<string, unknown>;
}

export interface Attempt {
  attempt: number;
  status: string;
  statusCode: number | null;
  durationMs: number | null;
  responseSnippet: string | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface EmailSend {
  eventId: string;
  template: string;
  to: string;
  status: string;
  subject: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface CustomerNotifications {
  emails: EmailSend[];
  webhookMessages: WebhookMessage[];
}

export interface ParkedSummary {
  total: number;
  byConsumerAndKind: Array<{ consumer: string; kind: string; count: number; oldestParkedAt: string }>;
}

export interface ParkedMessage {
  id: string;
  consumer: string;
  subject: string;
  messageId: string | null;
  kind: string;
  reason: string;
  deliveryCount: number;
  data: string;
  parkedAt: string;
  replayedAt: string | null;
  replayResult: string | null;
  autoReplays: number;
  nextAutoReplayAt: string | null;
}

export interface BulkReplay {
  replayed: number;
  outcomes: { done: number; skipped: number; retry: number; failed: number };
}

/** What one consumer of a service did with a message of a Stripe event's chain. */
export interface HandledMessage {
  consumer: string;
  messageId: string;
  subject: string;
  stripeEventId: string;
  outcome: 'done' | 'skipped' | 'retry' | 'parked';
  reason: string | null;
  deliveryCount: number;
  firstAt: string;
  lastAt: string;
}

/** One Stripe event as one service handled it (`GET /admin/stripe-events`). */
export interface StripeEventSummary {
  id: string;
  type: string;
  customer: string | null;
  email: string | null;
  createdAt: string;
  firstAt: string;
  lastAt: string;
  consumers: HandledMessage[];
}

export interface StripeEventPage {
  items: StripeEventSummary[];
  nextBefore: string | null;
}

/** JetStream's view of a service's consumers and the streams they read (`GET /admin/consumers`). */
export interface ConsumersState {
  consumers: Array<{
    consumer: string;
    stream: string;
    pending: number;
    ackPending: number;
    redelivered: number;
    waiting: number;
    lastDelivered: { streamSequence: number; at: string | null };
  }>;
  missing: string[];
  streams: Array<{
    stream: string;
    messages: number;
    firstAt: string | null;
    subjects: Array<{ subject: string; messages: number }>;
  }>;
}

/** What one consumer did with one replayed Stripe event (`POST /admin/stripe-events/replay`). */
export const STRIPE_REPLAY_OUTCOMES = ['done', 'skipped', 'retry', 'failed', 'gone'] as const;
export type StripeReplayOutcome = (typeof STRIPE_REPLAY_OUTCOMES)[number];

export interface StripeReplayAnswer {
  replayed: number;
  items: Array<{
    eventId: string;
    type: string | null;
    consumer: string;
    outcome: StripeReplayOutcome;
    reason: string | null;
  }>;
}

/** Which stored Stripe events to run again: by id, or by type and Stripe's creation time. */
export type StripeReplaySelection =
  { eventIds: string[] } | { types: string[]; since: string; until?: string; limit: number };

/** The gateway's answer to `POST /admin/reconcile`. */
export interface ReconcileAnswer {
  since: string;
  until: string;
  found: number;
  alreadyPresent: number;
  stored: number;
}
