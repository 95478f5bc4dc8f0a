import http from 'node:http';
import type { Logger } from './logger';

/**
 * Runs `step` until it succeeds: a service that starts while NATS or its database is down waits
 * for them (a warning every attempt, at most every `maxIntervalMs`) instead of exiting, so it
 * comes up by itself when they do. Gives up only when `stopped()` says the process is stopping.
 */
export async function untilReady<T>(
  what: string,
  step: () => Promise<T>,
  logger: Logger,
  options: { firstIntervalMs?: number; maxIntervalMs?: number; stopped?: () => boolean } = {},
): Promise<T> {
  const first = options.firstIntervalMs ?? 1000;
  const max = options.maxIntervalMs ?? 5000;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await step();
      if (attempt > 1) logger.info({ dependency: what, attempts: attempt }, 'dependency reached');
      return result;
    } catch (err) {
      if (options.stopped?.()) throw err;
      const delayMs = Math.min(max, first * 2 ** (attempt - 1));
      logger.warn(
        { dependency: what, attempt, retryInMs: delayMs, reason: (err as Error).message },
        'waiting for a dependency',
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/**
 * A bare HTTP server on the service's port while it waits for its dependencies: `/healthz` says
 * the process is alive, `/readyz` answers 503 with what it waits for, anything else 503. The
 * service's own server takes the port over once everything is up.
 */
export async function startStartupServer(
  port: number,
  host: string,
  waitingFor: () => string,
): Promise<{ close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path === '/readyz') return send(503, { status: 'starting', waitingFor: waitingFor() });
    return send(503, {
      error: { code: 'starting', message: `the service is starting: waiting for ${waitingFor()}` },
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
