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
