import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from './logger';

/**
 * Runs `shutdown` once on SIGINT/SIGTERM, then exits. A second signal, or a shutdown longer
 * than `timeoutMs`, exits at once with a non-zero code.
 */
export function onShutdownSignal(logger: Logger, shutdown: () => Promise<void>, timeoutMs: number): void {
  let started = false;
  const handle = (signal: NodeJS.Signals) => {
    if (started) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    started = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    shutdown()
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', handle);
  process.once('SIGTERM', handle);
}

/** Logs a start-up failure (a bad variable, an unreachable dependency) and exits 1. */
export function exitOnStartupError(logger: Logger | undefined, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  if (logger) logger.fatal({ err }, 'start-up failed');
  else process.stderr.write(`start-up failed: ${message}\n`);
  process.exit(1);
}

/**
 * The version in the package.json of the service whose build is in `distDir` (its `main.js`
 * passes `__dirname`), for logs, metrics, traces and the OpenAPI document. Read from the file, as
 * `npm_package_version` is set only when npm starts the process, not `node dist/main.js`.
 */
export function packageVersion(distDir: string): string {
  const file = path.join(distDir, '..', 'package.json');
  const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  if (typeof version !== 'string') throw new Error(`${file} has no version`);
  return version;
}
