// Child processes for `npm start`: spawning with prefixed output or a log file, readiness polling,
// and an ordered stop.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * @typedef {object} Child
 * @property {string} name
 * @property {import('node:child_process').ChildProcess} proc
 * @property {string | undefined} logFile  set for infrastructure, whose output goes to a file
 * @property {Promise<void>} exited        resolves when the process has exited
 * @property {boolean} running
 */

/**
 * Each child gets its own process group (`detached`), so Ctrl-C in the terminal reaches only this
 * script, which then stops the services before the infrastructure they depend on.
 * @returns {Child}
 */
function spawnChild(name, command, args, { env, cwd, stdio, logFile }) {
  const proc = spawn(command, args, { env, cwd, stdio, detached: true });
  const child = { name, proc, logFile, running: true, exited: undefined };
  child.exited = new Promise((resolve) => {
    proc.once('exit', () => {
      child.running = false;
      resolve();
    });
    proc.once('error', (err) => {
      console.error(`${name}: could not start ${command}: ${err.message}`);
      child.running = false;
      resolve();
    });
  });
  return child;
}

/** Starts a process whose stdout and stderr are appended to logFile. */
export function spawnLogged(name, command, args, { env, cwd, logFile }) {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  try {
    writeSync(fd, `\n--- ${name} started ${new Date().toISOString()}: ${command} ${args.join(' ')}\n`);
    return spawnChild(name, command, args, { env, cwd, logFile, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd); // the child holds its own copy
  }
}

/** Starts a process whose output lines are printed with `name | ` in front. */
export function spawnPrefixed(name, command, args, { env, cwd, width }) {
  const child = spawnChild(name, command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `${name.padEnd(width)} | `;
  for (const [stream, out] of [
    [child.proc.stdout, process.stdout],
    [child.proc.stderr, process.stderr],
  ]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) =>
      out.write(prefix + line + '\n'),
    );
  }
  return child;
}

/** True when something accepts TCP connections on host:port. */
export function isListening(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function httpOk(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** Polls check() until it is true; fails early, naming the component, when the child exits. */
async function pollUntil(child, what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    if (!child.running) throw new Error(`${child.name} exited before ${what}${whereToLook(child)}`);
    await sleep(200);
  }
  throw new Error(`${child.name}: ${what} did not happen within ${timeoutMs / 1000} s${whereToLook(child)}`);
}

const whereToLook = (child) => (child.logFile ? `; see ${child.logFile}` : '; see its output above');

export const waitForPort = (child, host, port, timeoutMs = 30_000) =>
  pollUntil(child, `accepting connections on ${host}:${port}`, () => isListening(host, port), timeoutMs);

export const waitForHttp = (child, url, timeoutMs = 60_000) =>
  pollUntil(child, `answering 200 on ${url}`, () => httpOk(url), timeoutMs);

function signalGroup(child, signal) {
  try {
    process.kill(-child.proc.pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to every child in the list at once, SIGKILL to those still running after graceMs. */
export async function stopAll(children, graceMs = 10_000) {
  const running = children.filter((c) => c.running && c.proc.pid);
  for (const child of running) signalGroup(child, 'SIGTERM');
  await Promise.all(
    running.map(async (child) => {
      const timer = sleep(graceMs, 'timeout');
      if ((await Promise.race([child.exited, timer])) === 'timeout') {
        console.error(`${child.name}: still running after ${graceMs / 1000} s, killing it`);
        signalGroup(child, 'SIGKILL');
        await child.exited;
      }
    }),
  );
}

/** Kills every child immediately, for a second Ctrl-C or a crash of this script. */
export function killAll(children) {
  for (const child of children) if (child.running && child.proc.pid) signalGroup(child, 'SIGKILL');
}
