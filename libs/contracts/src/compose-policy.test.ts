import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SERVICE_IDENTITIES } from './permissions';

/**
 * docker-compose.yml runs the identities declared here, so this suite holds it to the rules of the
 * deployment: infrastructure on loopback only, no secret with a default, images pinned by version,
 * and NATS refusing anyone without one of the users in nats-auth.conf.
 */
const REPO = path.resolve(__dirname, '../../..');

interface LongPort {
  host_ip?: string;
  published?: string | number;
  target: string | number;
}
interface LongVolume {
  type?: string;
  source?: string;
  target: string;
}
interface ComposeService {
  image?: string;
  command?: string | string[];
  ports?: (string | number | LongPort)[];
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | LongVolume)[];
}

const compose = parse(readFileSync(path.join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = Object.entries(compose.services);

class MissingVariable extends Error {}

/**
 * Compose's interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
 * `${VAR?error}`, `$$`) against the given environment; a required variable that is missing throws.
 * @see https://docs.docker.com/reference/compose-file/interpolation/
 */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_match, dollar?: string, braced?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (dollar) return '$';
      const name = (braced ?? bare)!;
      const set = colon ? Boolean(env[name]) : env[name] !== undefined;
      if (set) return env[name]!;
      if (op === '?') throw new MissingVariable(`${name}: ${arg}`);
      return op === '-' ? arg! : '';
    },
  );
}

/** The value with nothing set in the environment, or undefined when compose would refuse to start. */
function withoutEnvironment(value: string): string | undefined {
  try {
    return interpolate(value, {});
  } catch (err) {
    if (err instanceof MissingVariable) return undefined;
    throw err;
  }
}

function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => [entry.split('=')[0]!, entry.split('=').slice(1).join('=')]),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value ?? '')]));
}

/** The host address a published port binds to ('' = every interface). */
function hostIpOf(port: string | number | LongPort): string {
  if (typeof port === 'object') return port.host_ip ?? '';
  const parts = String(port).split(':');
  return parts.length === 3 ? parts[0]! : '';
}

function volumeSourceAt(service: ComposeService, target: string): string | undefined {
  for (const volume of service.volumes ?? []) {
    if (typeof volume === 'object') {
      if (volume.target === target) return volume.source;
      continue;
    }
    const [source, at] = volume.split(':');
    if (at === target) return source;
  }
  return undefined;
}

const EXACT_VERSION_TAG = /^v?\d+\.\d+\.\d+(?:[-.][0-9A-Za-z.-]+)?$/;

function isPinned(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const name = image.slice(image.lastIndexOf('/') + 1);
  const tag = name.includes(':') ? name.slice(name.indexOf(':') + 1) : 'latest';
  return EXACT_VERSION_TAG.test(tag);
}

const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PRIVATE_KEY|_KEYS?$/;
const URL_CREDENTIALS = /:\/\/[^/@\s]*:[^/@\s]*@/;

describe('docker-compose.yml', () => {
  it('publishes no port beyond loopback but the gateway’s', () => {
    const open = services.flatMap(([name, service]) =>
      name === 'gateway'
        ? []
        : (service.ports ?? [])
            .filter((port) => hostIpOf(port) !== '127.0.0.1')
            .map((port) => `${name} ${JSON.stringify(port)}`),
    );
    expect(open).toEqual([]);
  });

  it('gives no secret a default: with nothing set, compose refuses to start', () => {
    const defaulted = services.flatMap(([name, service]) =>
      Object.entries(environmentOf(service))
        .filter(([key, value]) => {
          const resolved = withoutEnvironment(value);
          if (resolved === undefined) return false;
          return (SECRET_NAME.test(key) && resolved !== '') || URL_CREDENTIALS.test(resolved);
        })
        .map(([key, value]) => `${name} ${key}=${value}`),
    );
    expect(defaulted).toEqual([]);
  });

  it('leaves OUTBOUND_ALLOW_PRIVATE off unless the operator turns it on', () => {
    const withNothingSet = Object.fromEntries(
      services.flatMap(([name, service]) => {
        const value = environmentOf(service).OUTBOUND_ALLOW_PRIVATE;
        return value === undefined ? [] : [[name, withoutEnvironment(value) ?? '(required)']];
      }),
    );
    expect(Object.keys(withNothingSet).length).toBeGreaterThan(0);
    // Unset (the services' default is false), false, or compose refuses to start without it.
    const on = Object.entries(withNothingSet).filter(
      ([, value]) => !['', 'false', '(required)'].includes(value),
    );
    expect(on).toEqual([]);
  });

  it('pins every image, and the Dockerfile’s, by version', () => {
    const images = services.flatMap(([, service]) => (service.image ? [service.image] : []));
    const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
    const nodeImage = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(nodeImage).toBeDefined();
    expect([...images, nodeImage!].filter((image) => !isPinned(image))).toEqual([]);
  });

  it('runs NATS with the users from nats-auth.conf and the shared settings', () => {
    const nats = compose.services.nats!;
    const command = Array.isArray(nats.command) ? nats.command : (nats.command ?? '').split(/\s+/);
    const config = command[command.indexOf('-c') + 1];
    expect(command).toContain('-c');
    expect(volumeSourceAt(nats, config!)).toBe('./tools/infra/nats-server.compose.conf');

    const text = readFileSync(path.join(REPO, 'tools/infra/nats-server.compose.conf'), 'utf8');
    const included = [...text.matchAll(/^\s*include\s+["']?([^"'\s;]+)/gm)].map((m) =>
      volumeSourceAt(nats, path.posix.join(path.posix.dirname(config!), m[1]!)),
    );
    expect(included).toEqual(expect.arrayContaining(['./nats-auth.conf', './tools/infra/nats-server.conf']));
    // Only an authorization block from nats-auth.conf; none written in here with its own users.
    expect(text.replace(/#.*$/gm, '')).not.toMatch(/authorization|accounts|no_auth_user/);
  });

  it('connects each service to NATS as its own user', () => {
    const passwords = Object.fromEntries(
      SERVICE_IDENTITIES.map((s) => [`NATS_${s.toUpperCase()}_PASSWORD`, `pw-${s}`]),
    );
    const actual = SERVICE_IDENTITIES.map((identity) => {
      const natsUrl = environmentOf(compose.services[identity] ?? {}).NATS_URL;
      if (!natsUrl) return { identity, natsUrl: '(none)' };
      const url = new URL(interpolate(natsUrl, passwords));
      return { identity, user: url.username, password: url.password, host: url.host };
    });
    expect(actual).toEqual(
      SERVICE_IDENTITIES.map((identity) => ({
        identity,
        user: identity,
        password: `pw-${identity}`,
        host: 'nats:4222',
      })),
    );
  });
});
