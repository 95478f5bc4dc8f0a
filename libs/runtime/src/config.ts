import type { NatsTls } from './nats';
/** Reads `process.env` (or a given map) once, failing with a message that names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

export class EnvReader {
  constructor(private readonly env: Env = process.env) {}

  /** The raw value, or undefined when unset or blank. */
  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback?: string): string {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) throw new ConfigError(name, 'is required');
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, { min = -Infinity, max = Infinity } = {}): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `must be an integer, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
    return n;
  }

  port(name: string, fallback: number): number {
    return this.int(name, fallback, { min: 0, max: 65535 });
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (TRUE.has(value)) return true;
    if (FALSE.has(value)) return false;
    throw new ConfigError(name, `must be true or false, got "${value}"`);
  }

  url(name: string, fallback: string | undefined, protocols: readonly string[]): string {
    const value = this.string(name, fallback);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(name, 'is not a valid URL');
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
    }
    return value;
  }

  /** Comma-separated list; blanks dropped. */
  list(name: string, fallback: readonly string[] = []): string[] {
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  /** Comma-separated durations in ms, e.g. "1000,5000,30000". */
  intList(name: string, fallback: readonly number[]): number[] {
    const items = this.list(name);
    if (items.length === 0) return [...fallback];
    return items.map((item) => {
      if (!/^\d+$/.test(item)) throw new ConfigError(name, `must be a comma-separated list of integers`);
      return Number(item);
    });
  }

  /**
   * A duration with its unit (`250ms`, `30s`, `5m`, `1h`, `1d`), or `0`; in milliseconds.
   * A bare number is refused: seconds and milliseconds are too easily confused.
   */
  duration(name: string, fallbackMs: number, { min = 0, max = Infinity } = {}): number {
    const value = this.raw(name);
    if (value === undefined) return fallbackMs;
    const match = /^(\d+)(ms|s|m|h|d)$/.exec(value);
    if (value !== '0' && !match)
      throw new ConfigError(name, `must be a duration like 30s, 5m or 1h (or 0), got "${value}"`);
    const ms = match ? Number(match[1]) * DURATION_UNITS_MS[match[2]!]! : 0;
    if (ms < min || ms > max)
      throw new ConfigError(name, `must be between ${min} ms and ${max} ms, got ${ms} ms`);
    return ms;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name) ?? fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
    }
    return value as T;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings every service reads the same way. */
export interface CommonConfig {
  /** With the service's identity: `nats://user:password@host:4222` (see README, "Security"). */
  natsUrl: string;
  /** TLS to NATS (`tls://` URLs, or these files). */
  natsTls?: NatsTls;
  mongo: { url: string; dbName: string };
  logLevel: LogLevel;
}

/**
 * `MONGO_URL` is shared; each service uses its own database (named after the service) unless
 * `<SERVICE>_MONGO_URL` overrides the whole URL, whose path then names the database.
 */
export function readCommonConfig(reader: EnvReader, service: string): CommonConfig {
  const overrideName = `${service.toUpperCase()}_MONGO_URL`;
  const override = reader.raw(overrideName);
  const mongoUrl = override
    ? reader.url(overrideName, undefined, ['mongodb:', 'mongodb+srv:'])
    : reader.url('MONGO_URL', 'mongodb://127.0.0.1:27017', ['mongodb:', 'mongodb+srv:']);
  const path = new URL(mongoUrl).pathname.replace(/^\//, '');
  return {
    natsUrl: reader.url('NATS_URL', 'nats://127.0.0.1:4222', ['nats:', 'tls:']),
    natsTls: readNatsTls(reader),
    mongo: { url: mongoUrl, dbName: override && path ? decodeURIComponent(path) : service },
    logLevel: reader.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
  };
}

/** `NATS_TLS_CA_FILE`, `NATS_TLS_CERT_FILE`, `NATS_TLS_KEY_FILE`; undefined when none is set. */
export function readNatsTls(reader: EnvReader): NatsTls | undefined {
  const tls: NatsTls = {
    caFile: reader.optionalString('NATS_TLS_CA_FILE'),
    certFile: reader.optionalString('NATS_TLS_CERT_FILE'),
    keyFile: reader.optionalString('NATS_TLS_KEY_FILE'),
  };
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) {
    throw new ConfigError('NATS_TLS_CERT_FILE', 'and NATS_TLS_KEY_FILE must be set together');
  }
  return tls.caFile || tls.certFile ? tls : undefined;
}
