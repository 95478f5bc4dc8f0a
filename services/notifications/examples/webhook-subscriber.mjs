// A receiver of the notifications service's outbound webhooks that verifies every request with the
// Standard Webhooks library before trusting it. Any Standard Webhooks or Svix verifier works the same.
//
//   npm install standardwebhooks          (already installed inside this repository)
//   WEBHOOK_SECRET=whsec_... PORT=8080 node webhook-subscriber.mjs
//
// Register it: POST /webhooks/endpoints {"url": "http://<host>:8080/", "events": ["*"]} on the
// notifications API; the answer's `secret` is the WEBHOOK_SECRET above.
import http from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error('set WEBHOOK_SECRET to the whsec_... secret returned when the endpoint was created');
  process.exit(1);
}
const webhook = new Webhook(secret);
// Deliveries are at least once: a retry or a replay repeats the same `webhook-id`. Keep the ids you
// handled (in your database, next to what the event changed) and skip repeats.
const handled = new Set();

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    // Verify the exact bytes received, before any JSON parsing.
    const raw = Buffer.concat(chunks).toString('utf8');
    let message;
    try {
      // Checks the signature (any of the space-separated ones) and that the timestamp is recent.
      message = webhook.verify(raw, req.headers);
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      console.log(`rejected: ${err.message}`);
      res.writeHead(400).end('invalid signature');
      return;
    }
    if (handled.has(message.id)) {
      res.writeHead(200).end('already handled');
      return;
    }
    handled.add(message.id);
    console.log(`verified ${message.event} ${message.id} ${JSON.stringify(message.data)}`);
    // Answer 2xx quickly; anything else (or no answer within 15 s) is retried.
    res.writeHead(204).end();
  });
});

server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening on ${JSON.stringify(server.address())}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
