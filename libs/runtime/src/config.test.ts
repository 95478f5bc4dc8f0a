import { ConfigError, EnvReader, readCommonConfig } from './config';
import { readConsumerServiceConfig, readTrustProxy } from './service';

describe('EnvReader', () => {
  it('parses booleans strictly: "false" is false, nonsense is an error naming the variable', () => {
    const reader = new EnvReader({ A: 'false', B: 'TRUE', C: '0', D: 'maybe' });
    expect(reader.bool('A', true)).toBe(false);
    expect(reader.bool('B', false)).toBe(true);
    expect(reader.bool('C', true)).toBe(false);
    expect(reader.bool('MISSING', true)).toBe(true);
    expect(() => reader.bool('D', false)).toThrow(new ConfigError('D', 'must be true or false, got "maybe"'));
  });

  it('parses integers within bounds and names the variable when out of range', () => {
    const reader = new EnvReader({ PORT: '3001', BAD: '12abc', BIG: '70000' });
    expect(reader.port('PORT', 1)).toBe(3001);
    expect(() => reader.int('BAD', 1)).toThrow(/BAD: must be an integer/);
    expect(() => reader.port('BIG', 1)).toThrow(/BIG: must be between 0 and 65535/);
  });

  it('treats blank values as unset and requires what has no default', () => {
    const reader = new EnvReader({ EMPTY: '   ' });
    expect(reader.string('EMPTY', 'fallback')).toBe('fallback');
    expect(() => reader.string('EMPTY')).toThrow('EMPTY: is required');
  });

  it('checks URL protocols', () => {
    const reader = new EnvReader({ NATS_URL: 'http://localhost:4222' });
    expect(() => reader.url('NATS_URL', undefined, ['nats:'])).toThrow(/NATS_URL: must use nats:/);
  });

  it('reads durations with their unit, 0 for off, and refuses bare numbers', () => {
    const env = new EnvReader({ A: '5m', B: '0', C: '300', D: '250ms', E: '2h' });
    expect(env.duration('A', 1)).toBe(300_000);
    expect(env.duration('B', 1)).toBe(0);
    expect(env.duration('D', 1)).toBe(250);
    expect(env.duration('UNSET', 42)).toBe(42);
    expect(() => env.duration('C', 1)).toThrow(/^C: must be a duration like 30s/);
    expect(() => env.duration('E', 1, { max: 3_600_000 })).toThrow(/^E: must be between/);
  });

  it('splits lists and integer lists', () => {
    const reader = new EnvReader({ L: 'a, b,,c', D: '100,200', X: '1,two' });
    expect(reader.list('L')).toEqual(['a', 'b', 'c']);
    expect(reader.intList('D', [1])).toEqual([100, 200]);
    expect(reader.intList('NONE', [1])).toEqual([1]);
    expect(() => reader.intList('X', [])).toThrow(/X: must be a comma-separated list/);
  });
});

describe('readCommonConfig', () => {
  it('gives each service its own database on the shared MONGO_URL', () => {
    const config = readCommonConfig(new EnvReader({ MONGO_URL: 'mongodb://db:27017' }), 'orders');
    expect(config.mongo).toEqual({ url: 'mongodb://db:27017', dbName: 'orders' });
    expect(config.natsUrl).toBe('nats://127.0.0.1:4222');
    expect(config.logLevel).toBe('info');
  });

  it('lets <SERVICE>_MONGO_URL override the URL and name the database in its path', () => {
    const config = readCommonConfig(
      new EnvReader({ MONGO_URL: 'mongodb://db:27017', ORDERS_MONGO_URL: 'mongodb://other:27017/shop' }),
      'orders',
    );
    expect(config.mongo).toEqual({ url: 'mongodb://other:27017/shop', dbName: 'shop' });
  });

  it('rejects an unknown log level', () => {
    expect(() => readCommonConfig(new EnvReader({ LOG_LEVEL: 'loud' }), 'orders')).toThrow(/LOG_LEVEL/);
  });
});

describe('readConsumerServiceConfig', () => {
  it('requires an admin token of reasonable length', () => {
    expect(() => readConsumerServiceConfig(new EnvReader({}), 'orders', 3002)).toThrow(
      'ADMIN_API_TOKEN: is required',
    );
    expect(() =>
      readConsumerServiceConfig(new EnvReader({ ADMIN_API_TOKEN: 'short' }), 'orders', 3002),
    ).toThrow(/ADMIN_API_TOKEN: must be at least 16/);
  });

  it('reads the service port and retry policy', () => {
    const config = readConsumerServiceConfig(
      new EnvReader({
        ADMIN_API_TOKEN: 'x'.repeat(32),
        ORDERS_PORT: '4002',
        CONSUMER_RETRY_BASE_MS: '10',
        CONSUMER_RETRY_MAX_DELAY_MS: '20',
        CONSUMER_RETRY_FOR_MS: '60000',
      }),
      'orders',
      3002,
    );
    expect(config.port).toBe(4002);
    expect(config.retry).toEqual({ baseMs: 10, maxDelayMs: 20, retryForMs: 60_000 });
  });

  it('retries for 3 days by default, backing off from 1 s to 1 h', () => {
    const config = readConsumerServiceConfig(
      new EnvReader({ ADMIN_API_TOKEN: 'x'.repeat(32) }),
      'orders',
      3002,
    );
    expect(config.retry).toEqual({ baseMs: 1000, maxDelayMs: 3_600_000, retryForMs: 3 * 24 * 3_600_000 });
  });

  it('keeps the handled-message log 30 days by default, or HANDLED_RETENTION_DAYS', () => {
    const read = (env: Record<string, string>) =>
      readConsumerServiceConfig(new EnvReader({ ADMIN_API_TOKEN: 'x'.repeat(32), ...env }), 'orders', 3002);
    expect(read({}).handledRetentionMs).toBe(30 * 24 * 3_600_000);
    expect(read({ HANDLED_RETENTION_DAYS: '7' }).handledRetentionMs).toBe(7 * 24 * 3_600_000);
    expect(() => read({ HANDLED_RETENTION_DAYS: '0' })).toThrow(/HANDLED_RETENTION_DAYS: must be between 1/);
  });
});

describe('readTrustProxy', () => {
  const read = (value?: string) => readTrustProxy(new EnvReader({ TRUST_PROXY: value }));

  it('trusts no proxy by default, a hop count, or named proxy addresses and ranges', () => {
    expect(read()).toBe(false);
    expect(read('false')).toBe(false);
    expect(read('2')).toBe(2);
    expect(read('10.0.0.1, 172.16.0.0/12,::1,fd00::/8')).toEqual([
      '10.0.0.1',
      '172.16.0.0/12',
      '::1',
      'fd00::/8',
    ]);
  });

  it('refuses "true" and anything that is not a count or an address', () => {
    expect(() => read('true')).toThrow(/TRUST_PROXY: "true" would let any client choose its address/);
    expect(() => read('0')).toThrow(/between 1 and 10/);
    expect(() => read('loopback')).toThrow(/"loopback" is neither a hop count nor an IP address/);
    expect(() => read('10.0.0.0/33')).toThrow(/"10.0.0.0\/33"/);
  });
});
