import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest folder upwards holding turbo.json. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'turbo.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('repository root (turbo.json) not found');
    dir = parent;
  }
  return dir;
}

/** The project's nats-server settings (JetStream flushed to disk before each acknowledgement). */
export function natsConfigPath(): string {
  return path.join(repoRoot(), 'tools', 'infra', 'nats-server.conf');
}

/** Where `tools/infra/install.sh` puts nats-server, docstore, stripe-mock (and ferretdb on demand). */
export function toolPath(name: 'nats-server' | 'docstore' | 'ferretdb' | 'stripe-mock'): string {
  return path.join(repoRoot(), '.tools', 'bin', name);
}
