import {
  createLogger,
  exitOnStartupError,
  onShutdownSignal,
  packageVersion,
  type Logger,
} from '@billing/runtime';
import { buildDashboardApp } from './app';
import { loadConfig } from './config';
import { redactEmailsInUrl } from './http/log-url';

const VERSION = packageVersion(__dirname);

async function main(): Promise<void> {
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    const log = (logger = createLogger({
      service: 'dashboard',
      version: VERSION,
      level: config.logLevel,
      redactUrl: redactEmailsInUrl,
    }));
    // No connections of its own: the other services are reached per request, over HTTP.
    const app = await buildDashboardApp({ config, logger: log });
    onShutdownSignal(log, () => app.close(), config.shutdownGraceMs);
    await app.listen({ port: config.port, host: config.host });
    log.info({ upstreams: config.upstreams }, 'dashboard up');
  } catch (err) {
    exitOnStartupError(logger, err);
  }
}

void main();
