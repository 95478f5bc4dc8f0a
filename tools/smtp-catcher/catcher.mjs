// Local SMTP catcher for development: accepts every message on loopback, stores it as an .eml file
// and shows what arrived on a small HTTP page. Nothing is relayed anywhere.
//
//   node tools/smtp-catcher/catcher.mjs
//
// Environment: SMTP_CATCHER_PORT (1025), SMTP_CATCHER_HTTP_PORT (1080),
// SMTP_CATCHER_DIR (<repo>/.data/mail).
//
// HTTP: GET /                  HTML list
//       GET /messages          JSON list, newest first
//       GET /messages/:id      JSON with text and html bodies
//       GET /messages/:id/html the HTML body, sandboxed
//       GET /messages/:id/raw  the stored .eml
//       DELETE /messages       removes every stored message
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const HOST = '127.0.0.1';
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SMTP_PORT = Number(process.env.SMTP_CATCHER_PORT ?? 1025);
const HTTP_PORT = Number(process.env.SMTP_CATCHER_HTTP_PORT ?? 1080);
const DIR = path.resolve(process.env.SMTP_CATCHER_DIR ?? path.join(REPO, '.data/mail'));
const MAX_SIZE = 25 * 1024 * 1024;
// Ids become file names, so anything else in a URL is rejected before it reaches the file system.
const ID_PATTERN = /^[0-9a-z-]+$/;

/** Summaries by id; the .eml files on disk are the source of truth. */
const index = new Map();

// ---- storage --------------------------------------------------------------------------------

const emlPath = (id) => path.join(DIR, `${id}.eml`);

async function summarize(id, raw) {
  try {
    const mail = await simpleParser(raw);
    return {
      id,
      from: mail.from?.text ?? '',
      to: [mail.to, mail.cc]
        .flat()
        .filter(Boolean)
        .map((a) => a.text)
        .join(', '),
      subject: mail.subject ?? '',
      date: (mail.date ?? new Date()).toISOString(),
      size: raw.length,
    };
  } catch (err) {
    return { id, from: '', to: '', subject: `(unparseable: ${err.message})`, date: '', size: raw.length };
  }
}

async function loadIndex() {
  await mkdir(DIR, { recursive: true });
  for (const file of (await readdir(DIR)).filter((f) => f.endsWith('.eml')).sort()) {
    const id = file.slice(0, -'.eml'.length);
    index.set(id, await summarize(id, await readFile(emlPath(id))));
  }
}

async function store(raw) {
  // Time first so that file names sort in arrival order.
  const id = `${Date.now().toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
  await writeFile(`${emlPath(id)}.tmp`, raw);
  await rename(`${emlPath(id)}.tmp`, emlPath(id));
  const summary = await summarize(id, raw);
  index.set(id, summary);
  return summary;
}

async function clear() {
  await Promise.all([...index.keys()].map((id) => rm(emlPath(id), { force: true })));
  index.clear();
}

const newestFirst = () => [...index.values()].reverse();

// ---- SMTP -------------------------------------------------------------------------------------

function createSmtpServer() {
  return new SMTPServer({
    logger: false,
    banner: 'smtp-catcher (development only, nothing is delivered)',
    size: MAX_SIZE,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // Accept any credentials, so an SMTP_URL with user:password works unchanged.
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'anonymous' }),
    onData(stream, _session, callback) {
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        if (stream.sizeExceeded)
          return callback(Object.assign(new Error('Message too big'), { responseCode: 552 }));
        store(Buffer.concat(chunks)).then(
          (m) => {
            console.log(`received ${m.id}  ${m.from} -> ${m.to}  "${m.subject}"`);
            callback(null, `Queued as ${m.id}`);
          },
          (err) => callback(err),
        );
      });
    },
  });
}

// ---- HTTP -------------------------------------------------------------------------------------

const escapeHtml = (value) =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

function listPage(messages) {
  const rows = messages
    .map((m) => {
      const url = `/messages/${encodeURIComponent(m.id)}`;
      return `<tr><td>${escapeHtml(m.date)}</td><td>${escapeHtml(m.from)}</td><td>${escapeHtml(m.to)}</td>
<td><a href="${url}/html">${escapeHtml(m.subject || '(no subject)')}</a></td>
<td><a href="${url}">json</a> <a href="${url}/raw">raw</a></td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>smtp-catcher</title><meta http-equiv="refresh" content="5">
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}</style></head>
<body><h1>smtp-catcher</h1><p>${messages.length} message(s) in ${escapeHtml(DIR)}</p>
<table><thead><tr><th>Date</th><th>From</th><th>To</th><th>Subject</th><th></th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}

function send(res, status, contentType, body, headers = {}) {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

const sendJson = (res, status, value) =>
  send(res, status, 'application/json', JSON.stringify(value, null, 2));

async function message(id) {
  const raw = await readFile(emlPath(id));
  const mail = await simpleParser(raw);
  return { raw, mail };
}

async function route(req, res) {
  const { pathname } = new URL(req.url ?? '/', `http://${HOST}`);
  const parts = pathname.split('/').filter(Boolean);

  if (req.method === 'GET' && parts.length === 0)
    return send(res, 200, 'text/html; charset=utf-8', listPage(newestFirst()));
  if (parts[0] !== 'messages' || parts.length > 3) return sendJson(res, 404, { error: 'not found' });
  if (parts.length === 1) {
    if (req.method === 'GET') return sendJson(res, 200, newestFirst());
    if (req.method === 'DELETE') return clear().then(() => send(res, 204, 'text/plain', ''));
    return sendJson(res, 405, { error: 'method not allowed' });
  }

  const [, id, view] = parts;
  if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
  if (!ID_PATTERN.test(id) || !index.has(id)) return sendJson(res, 404, { error: 'no such message' });
  const { raw, mail } = await message(id);
  switch (view) {
    case undefined:
      return sendJson(res, 200, {
        ...index.get(id),
        messageId: mail.messageId ?? null,
        text: mail.text ?? null,
        html: mail.html || null,
        attachments: mail.attachments.map((a) => ({
          filename: a.filename ?? null,
          contentType: a.contentType,
          size: a.size,
        })),
      });
    case 'raw':
      return send(res, 200, 'message/rfc822', raw);
    case 'html':
      // The body comes from whatever sent the mail; a sandbox keeps its scripts away from this page.
      return mail.html
        ? send(res, 200, 'text/html; charset=utf-8', mail.html, { 'content-security-policy': 'sandbox' })
        : send(res, 200, 'text/html; charset=utf-8', `<pre>${escapeHtml(mail.text ?? '')}</pre>`);
    default:
      return sendJson(res, 404, { error: 'not found' });
  }
}

function createHttpServer() {
  return http.createServer((req, res) => {
    route(req, res).catch((err) => {
      console.error('http error', err);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
}

// ---- process ----------------------------------------------------------------------------------

const listen = (server, port) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, resolve);
  });

async function main() {
  await loadIndex();
  const smtp = createSmtpServer();
  const web = createHttpServer();
  smtp.on('error', (err) => console.error('smtp error', err.message));
  await listen(smtp, SMTP_PORT);
  await listen(web, HTTP_PORT);
  console.log(`smtp-catcher: smtp://${HOST}:${SMTP_PORT}  ui http://${HOST}:${HTTP_PORT}  store ${DIR}`);

  const stop = () => {
    web.close();
    web.closeAllConnections();
    smtp.close(() => process.exit(0));
    // smtp.close waits for open sessions; a client that never says QUIT must not hold us up.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error('smtp-catcher:', err.message);
  process.exit(1);
});
