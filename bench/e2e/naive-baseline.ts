/**
 * The naive baseline: the Stripe webhook route many shops write by hand, as one process. It does
 * everything inside the route before answering 200: verify the signature with the official
 * `stripe` package; for checkout.session.completed upsert the customer, fetch the line items,
 * insert the order under a unique key (a duplicate answers 200 without redoing anything), sign a
 * license, send the purchase email and POST a signed `checkout.completed` webhook; for the payment
 * events record the payment once per PaymentIntent. Nothing is retried: an SMTP or webhook failure
 * after the order insert loses that effect, which is what the system is built to avoid.
 *
 * Started by the benchmark (baseline-target.ts) with: PORT, MONGO_URL (its path names the
 * database), STRIPE_API_URL, STRIPE_WEBHOOK_SECRET, STRIPE_WEBHOOK_TOLERANCE_SECONDS, SMTP_URL,
 * WEBHOOK_URL, WEBHOOK_SECRET (Standard Webhooks), LICENSE_SIGNING_PRIVATE_KEY, LOG_LEVEL.
 */
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import Fastify from 'fastify';
import mongoose, { Schema } from 'mongoose';
import nodemailer from 'nodemailer';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const stripeApi = new URL(env('STRIPE_API_URL'));
const stripe = new Stripe('sk_test_baseline', {
  host: stripeApi.hostname,
  port: Number(stripeApi.port),
  protocol: 'http',
  maxNetworkRetries: 2,
});
const webhookSecret = env('STRIPE_WEBHOOK_SECRET');
const tolerance = Number(process.env.STRIPE_WEBHOOK_TOLERANCE_SECONDS ?? 300);
const mailer = nodemailer.createTransport({ url: env('SMTP_URL') });
const outbound = new Webhook(env('WEBHOOK_SECRET'));
const webhookUrl = env('WEBHOOK_URL');
const licenseKey = createPrivateKey({
  key: Buffer.from(env('LICENSE_SIGNING_PRIVATE_KEY'), 'base64'),
  format: 'der',
  type: 'pkcs8',
});

const Customer = mongoose.model(
  'Customer',
  new Schema({
    _id: String,
    name: String,
    stripeCustomerIds: [String],
    createdAt: Date,
  }),
);
const orderSchema = new Schema({
  _id: String,
  checkoutSessionId: { type: String, required: true },
  email: String,
  paymentIntentId: String,
  amountTotal: Number,
  currency: String,
  lines: Schema.Types.Mixed,
  createdAt: Date,
});
// One order per checkout session: a duplicate event fails the insert.
orderSchema.index({ checkoutSessionId: 1 }, { unique: true });
const Order = mongoose.model('Order', orderSchema);
const Payment = mongoose.model(
  'Payment',
  new Schema({ _id: String, amount: Number, currency: String, paidAt: Date }),
);
const licenseSchema = new Schema({ _id: String, key: String, orderId: String, sku: String, issuedAt: Date });
licenseSchema.index({ orderId: 1 });
const License = mongoose.model('License', licenseSchema);

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

async function upsertCustomer(email: string, name: string | null, stripeCustomerId: string | null) {
  const write = () =>
    Customer.updateOne(
      { _id: email },
      {
        $setOnInsert: { name, createdAt: new Date() },
        ...(stripeCustomerId ? { $addToSet: { stripeCustomerIds: stripeCustomerId } } : {}),
      },
      { upsert: true },
    );
  // Two first orders of one email race on the upsert; the loser's second try updates.
  await write().catch((err) => (isDuplicate(err) ? write() : Promise.reject(err)));
}

async function recordPayment(paymentIntentId: string | null, amount: number, currency: string, at: number) {
  if (!paymentIntentId) return;
  await Payment.create({ _id: paymentIntentId, amount, currency, paidAt: new Date(at * 1000) }).catch(
    (err) => (isDuplicate(err) ? undefined : Promise.reject(err)),
  );
}

function signLicense(licenseId: string, sku: string): string {
  const claims = { lid: licenseId, sku, tier: 'PRO', iat: Math.floor(Date.now() / 1000) };
  const body = `LIC1.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${sign(null, Buffer.from(body), licenseKey).toString('base64url')}`;
}

/** Everything a paid checkout must cause; false when the session was fulfilled already. */
async function fulfil(session: Stripe.Checkout.Session): Promise<boolean> {
  const email = (session.customer_details?.email ?? session.customer_email ?? '').toLowerCase();
  const name = session.customer_details?.name ?? null;
  const stripeCustomerId = typeof session.customer === 'string' ? session.customer : null;
  await upsertCustomer(email, name, stripeCustomerId);
  const items = await stripe.checkout.sessions.listLineItems(session.id, {
    limit: 100,
    expand: ['data.price.product'],
  });
  const orderId = `ord_${session.id.slice(-24)}`;
  const lines = items.data.map((item) => {
    const product = item.price?.product as Stripe.Product | undefined;
    return { description: item.description, quantity: item.quantity, sku: product?.metadata?.sku ?? null };
  });
  try {
    await Order.create({
      _id: orderId,
      checkoutSessionId: session.id,
      email,
      paymentIntentId: typeof session.payment_intent === 'string' ? session.payment_intent : null,
      amountTotal: session.amount_total,
      currency: session.currency,
      lines,
      createdAt: new Date(),
    });
  } catch (err) {
    if (isDuplicate(err)) return false;
    throw err;
  }
  const licenseId = `lic_${randomBytes(16).toString('hex')}`;
  const key = signLicense(licenseId, lines[0]?.sku ?? 'unknown');
  await License.create({ _id: licenseId, key, orderId, sku: lines[0]?.sku, issuedAt: new Date() });
  const amount = `${((session.amount_total ?? 0) / 100).toFixed(2)} ${session.currency?.toUpperCase()}`;
  await mailer.sendMail({
    from: 'Billing <billing@example.com>',
    to: email,
    subject: `Your Billing order ${orderId} is confirmed`,
    text: `Thank you for your order ${orderId} (${amount}).\n\nYour license key:\n${key}\n`,
    html: `<p>Thank you for your order <b>${orderId}</b> (${amount}).</p><p>Your license key:</p><pre>${key}</pre>`,
  });
  const id = `msg_${randomBytes(12).toString('hex')}`;
  const now = new Date();
  const body = JSON.stringify({
    id,
    event: 'checkout.completed',
    createdAt: now.toISOString(),
    data: {
      orderId,
      customerEmail: email,
      customerName: name,
      subscriptionId: null,
      amountTotal: session.amount_total,
      currency: session.currency,
      licenses: [{ licenseId, key, status: 'active', productSku: lines[0]?.sku, orderId }],
    },
  });
  const res = await fetch(webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': outbound.sign(id, now, body),
    },
    body,
  });
  await res.text();
  return true;
}

async function main() {
  await mongoose.connect(env('MONGO_URL'), { autoIndex: false });
  for (const model of [Customer, Order, Payment, License]) await model.createIndexes();
  const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } });
  // Verification needs the exact bytes Stripe signed.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.get('/healthz', async () => ({ ok: true }));
  app.post('/api/billing/webhooks', async (request, reply) => {
    let event: Stripe.Event;
    try {
      const signature = String(request.headers['stripe-signature'] ?? '');
      event = await stripe.webhooks.constructEventAsync(
        request.body as Buffer,
        signature,
        webhookSecret,
        tolerance,
      );
    } catch (err) {
      return reply.code(400).send({ error: { code: 'invalid_signature', message: (err as Error).message } });
    }
    if (event.type === 'checkout.session.completed') {
      const fulfilled = await fulfil(event.data.object);
      request.log.info({ eventId: event.id, fulfilled }, 'checkout handled');
    } else if (event.type === 'payment_intent.succeeded') {
      const intent = event.data.object;
      await recordPayment(intent.id, intent.amount_received, intent.currency, event.created);
    } else if (event.type === 'charge.succeeded') {
      const charge = event.data.object;
      const intent = typeof charge.payment_intent === 'string' ? charge.payment_intent : null;
      await recordPayment(intent, charge.amount, charge.currency, event.created);
    }
    return { received: true };
  });
  await app.listen({ port: Number(env('PORT')), host: '127.0.0.1' });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
