// Child processes for the interop scenarios: every server is started in its own process group,
// bound to 127.0.0.1, waited for with a deadline, and killed by PID (the whole group) when the
// scenario ends or the runner exits, whatever happens.

import { spawn } from 'node:child_process';
import net from 'node:net';

const LOG_LIMIT = 256 * 1024;
const live = new Set();

/** A started child process. `output()` is its interleaved stdout+stderr (the last 256 KiB). */
export class Child {
  constructor(name, proc) {
    this.name = name;
    this.proc = proc;
    this.pid = proc.pid;
    this.exitCode = null;
    this.buffer = '';
    const keep = (chunk) => {
      this.buffer += chunk.toString('utf8');
      if (this.buffer.length > LOG_LIMIT) this.buffer = this.buffer.slice(-LOG_LIMIT);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.exitCode = code ?? signal;
        live.delete(this);
        resolve(this.exitCode);
      });
      proc.on('error', (error) => {
        this.buffer += `\n[spawn error] ${error.message}\n`;
        this.exitCode = this.exitCode ?? 'spawn-error';
        live.delete(this);
        resolve(this.exitCode);
      });
    });
  }

  output() {
    return this.buffer;
  }

  /**
   * Resolves once the output matches `pattern` (a line a process prints after answering a
   * request may arrive a moment after the answer); fails with the output after `timeoutMs`.
   */
  async waitForOutput(pattern, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.buffer)) {
      if (Date.now() >= deadline) {
        throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${tail(this.buffer)}`);
      }
      await sleep(50);
    }
  }

  get running() {
    return this.exitCode === null;
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 3000) {
    if (!this.running) return this.exitCode;
    signalGroup(this.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** The runner's environment plus `env` (a value of `undefined` removes a variable). */
function withEnv(env) {
  const merged = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete merged[key];
    else merged[key] = String(value);
  }
  return merged;
}

/**
 * Starts `command args` in its own process group. `env` is added to the runner's environment
 * (a value of `undefined` removes a variable).
 */
export function start(name, command, args = [], { env = {}, cwd } = {}) {
  const proc = spawn(command, args, {
    cwd,
    env: withEnv(env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = new Child(name, proc);
  live.add(child);
  return child;
}

/**
 * Runs `command args` to completion with a deadline; resolves to `{ code, stdout, stderr }`.
 * On timeout the process group is killed and `code` is `'timeout'`.
 */
export async function run(command, args = [], { env = {}, cwd, timeoutMs = 60_000, input } = {}) {
  const proc = spawn(command, args, {
    cwd,
    env: withEnv(env),
    detached: true,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c) => {
    if (stdout.length < LOG_LIMIT) stdout += c.toString('utf8');
  });
  proc.stderr.on('data', (c) => {
    if (stderr.length < LOG_LIMIT) stderr += c.toString('utf8');
  });
  if (input !== undefined) proc.stdin.end(input);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup(proc.pid, 'SIGTERM');
    setTimeout(() => signalGroup(proc.pid, 'SIGKILL'), 2000).unref();
  }, timeoutMs);
  const code = await new Promise((resolve) => {
    proc.on('exit', (c, s) => resolve(c ?? s));
    proc.on('error', (e) => {
      stderr += `[spawn error] ${e.message}`;
      resolve('spawn-error');
    });
  });
  clearTimeout(timer);
  return { code: timedOut ? 'timeout' : code, stdout, stderr };
}

const handedOut = new Set();

/**
 * A port that was free on 127.0.0.1 a moment ago, and never handed out before by this process
 * (a port picked for a server that has not bound it yet must not be picked again).
 */
export async function freePort() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no fresh free port on 127.0.0.1');
}

/**
 * Polls `url` until it answers any HTTP status (or `accept(response)` is true), within
 * `timeoutMs`. Fails early, with the child's output, when `child` exits first.
 */
export async function waitForHttp(url, { timeoutMs = 30_000, child, accept } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child && !child.running) {
      throw new Error(
        `${child.name} exited (${child.exitCode}) before ${url} answered:\n${tail(child.output())}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (!accept || (await accept(response))) return response;
      last = `status ${response.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(150);
  }
  const output = child ? `\n${tail(child.output())}` : '';
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})${output}`);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The last `lines` lines of `text`. */
export function tail(text, lines = 30) {
  return text.split('\n').slice(-lines).join('\n');
}

/** Stops every child still running (the runner calls this on exit and on signals). */
export async function stopAll() {
  await Promise.all([...live].map((child) => child.stop(1000)));
}

function killAllNow() {
  for (const child of live) signalGroup(child.pid, 'SIGKILL');
}

process.on('exit', killAllNow);
