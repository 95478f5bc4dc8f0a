import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';
import { activeTraceIds } from './tracing';

export type { Logger } from 'pino';

/**
 * Secrets, signatures, message bodies and license keys never reach the logs. Paths are pino
 * redact paths: `*.x` matches one level down.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["stripe-signature"]',
  'req.headers["webhook-signature"]',
  'headers.authorization',
  'secret',
  '*.secret',
  'secrets',
  'key',
  '*.key',
  'keys',
  'licenseKey',
  '*.licenseKey',
  'body',
  '*.body',
  'html',
  '*.html',
  'text',
  '*.text',
  'password',
  '*.password',
];

export interface LoggerOptions {
  service: string;
  version: string;
  level: LogLevel;
  /** Defaults to stdout; pretty printing only when stdout is a terminal. */
  destination?: pino.DestinationStream;
  /** Masks secrets that travel in request paths (e.g. license keys) in every request log line. */
  redactUrl?: (url: string) => string;
}

/** The request fields worth a log line; the URL through `redactUrl` when given. */
function requestSerializer(redactUrl: (url: string) => string = (url) => url) {
  return (req: { method?: string; url?: string; ip?: string; headers?: Record<string, unknown> }) => ({
    method: req.method,
    url: req.url === undefined ? undefined : redactUrl(req.url),
    host: req.headers?.host,
    remoteAddress: req.ip,
  });
}

export function createLogger(options: LoggerOptions): Logger {
  const base = { service: options.service, version: options.version };
  const common = {
    level: options.level,
    base,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { req: requestSerializer(options.redactUrl) },
    // Lines logged inside a traced span carry its trace_id and span_id.
    mixin: () => activeTraceIds() ?? {},
  };
  if (options.destination) return pino(common, options.destination);
  if (process.stdout.isTTY) {
    return pino({ ...common, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  // Asynchronous writes: lines logged while a write is under way go out together in the next
  // one, instead of one system call per line. pino flushes what is left when the process exits.
  return pino(common, pino.destination({ dest: 1, sync: false }));
}
