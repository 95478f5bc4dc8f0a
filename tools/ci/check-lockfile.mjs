// Fails when package-lock.json lacks an optional dependency some locked package declares, which is
// how npm records native builds for other platforms (@swc/core-*, @turbo/*, @esbuild/*,
// @unrs/resolver-binding-*). A lockfile written by an npm that dropped them (npm/cli#4828) installs
// on the machine that wrote it, while `npm ci` anywhere else (CI, the Docker build) stops with
// "package.json and package-lock.json are not in sync ... Missing: <pkg> from lock file".
//
//   node tools/ci/check-lockfile.mjs [path/to/package-lock.json]
//
// @see https://github.com/npm/cli/issues/4828
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/;

/**
 * Where npm would find `name` for the package at `location`: its own node_modules, then each
 * enclosing node_modules up to the root (the same lookup Node's resolver does).
 */
function resolveLocation(packages, location, name) {
  let dir = location;
  for (;;) {
    const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === '') return undefined;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent === -1 ? '' : dir.slice(0, parent);
  }
}

function missingOptionalDependencies(lockfile) {
  const packages = lockfile.packages ?? {};
  const problems = [];
  for (const [location, entry] of Object.entries(packages)) {
    for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
      const where = resolveLocation(packages, location, name);
      const owner = `${location || '(root)'}@${entry.version ?? ''}`;
      if (!where) {
        problems.push(`${name}@${spec} (optional dependency of ${owner}) is missing`);
      } else if (EXACT_VERSION.test(spec) && packages[where].version !== spec) {
        problems.push(
          `${name}@${spec} (optional dependency of ${owner}) is locked at ${packages[where].version} in ${where}`,
        );
      }
    }
  }
  return problems;
}

function main() {
  const file = path.resolve(process.argv[2] ?? path.join(REPO, 'package-lock.json'));
  const lockfile = JSON.parse(readFileSync(file, 'utf8'));
  if (!lockfile.packages) {
    console.error(
      `${file}: no "packages" map (lockfileVersion ${lockfile.lockfileVersion}); npm >= 7 writes one`,
    );
    process.exit(1);
  }
  const problems = missingOptionalDependencies(lockfile);
  if (problems.length === 0) {
    console.log(
      `${path.relative(process.cwd(), file) || file}: every optional (platform) dependency is locked`,
    );
    return;
  }
  console.error(
    [
      `${file} is incomplete: npm ci fails on other platforms ("package.json and package-lock.json are not in sync").`,
      ...problems.map((p) => `  ${p}`),
      'Regenerate it in a clean clone (no node_modules, where npm adds every platform build):',
      '`npm install --package-lock-only`, then check that `npm ci` passes. See https://github.com/npm/cli/issues/4828',
    ].join('\n'),
  );
  process.exit(1);
}

main();
