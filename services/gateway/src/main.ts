import {
  connectNats,
  createLogger,
  exitOnStartupError,
  onShutdownSignal,
  packageVersion,
  startStartupServer,
  startTracing,
  untilReady,
  type Logger,
} from '@billing/runtime';
import { loadConfig } from './config';
import { composeGateway } from './service';

const VERSION = packageVersion(__dirname);

async function main(): Promise<void> {
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    const tracing = startTracing('gateway', VERSION);
    const log = (logger = createLogger({ service: 'gateway', version: VERSION, level: config.logLevel }));
    // While NATS is down at start the port answers /healthz, and /readyz says what is awaited.
    let stopping = false;
    const startup = await startStartupServer(config.port, config.host, () => 'NATS');
    let shutdown = async () => {
      stopping = true;
      await startup.close();
    };
    onShutdownSignal(log, () => shutdown(), config.shutdownGraceMs);
    const stopped = () => stopping;
    const nats = await untilReady(
      'NATS',
      () => connectNats(config.natsUrl, 'gateway', log, config.publishTimeoutMs, config.natsTls),
      log,
      { stopped },
    );
    const gateway = await composeGateway({ config, nats, logger: log, version: VERSION, stopped });
    // Stop accepting and reconciling, let in-flight publishes finish and answer, then drain NATS.
    shutdown = async () => {
      await gateway.stop();
      await nats.close();
      await tracing?.shutdown();
    };
    await startup.close();
    await gateway.app.listen({ port: config.port, host: config.host });
    gateway.startReconcilers();
  } catch (err) {
    exitOnStartupError(logger, err);
  }
}

void main();
