import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

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
}

export function createLogger(options: LoggerOptions): Logger {
  const base = { service: options.service, version: options.version };
  const common = { level: options.level, base, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (options.destination) return pino(common, options.destination);
  if (process.stdout.isTTY) {
    return pino({ ...common, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(common);
}
