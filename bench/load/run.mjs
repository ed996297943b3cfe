#!/usr/bin/env node
// Load harness: the release whoami binary over real sockets on 127.0.0.1, protected in every
// verifier mode and unprotected, side by side with the peer SDKs' whoami servers, under wrk.
//
//   node bench/load/run.mjs                  # everything: 3 rounds of 5 s per cell
//   node bench/load/run.mjs --rounds=5 --seconds=10
//   node bench/load/run.mjs --only=jwt,unprotected --no-peers --connections=16
//   node bench/load/run.mjs --no-build --no-write   # reuse binaries, print only
//
// Servers run on CPU 1 (`taskset -c 1`), wrk on CPU 0, one wrk thread, keep-alive. Cells (target
// × protocol × connections) are run in turn, round after round, so drift on a shared machine hits
// every target alike; the figures are medians over the rounds. Every answer is checked for the
// caller's claims (call.lua); a cell with any error is reported as failed. The authorization
// server is oidc-provider (tests/interop), with JWT access tokens (RS256) for the jwt mode and
// the peers, and opaque tokens for introspection and userinfo; its log counts the upstream
// calls. Writes docs/perf/results.md, results.json and throughput.svg (the chart is drawn by
// bench/load/chart, a Rust binary).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT } from '../../tests/interop/lib/examples.mjs';
import { startOidcProvider } from '../../tests/interop/lib/oidc.mjs';
import { run, stopAll } from '../../tests/interop/lib/proc.mjs';
import { callBody, callHeaders, openSession, PROTOCOLS } from './lib/mcp.mjs';
import { renderMarkdown, summarize } from './lib/report.mjs';
import { cpuSeconds, memory, peerTarget, releaseBinary, resetPeak, rustTarget } from './lib/targets.mjs';
import { wrk } from './lib/wrk.mjs';

const SERVER_CPU = 1;
const LOAD_CPU = 0;

function option(name, fallback) {
  const arg = process.argv.slice(2).find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (arg === undefined) return fallback;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : true;
}

const opts = {
  rounds: Number(option('rounds', 3)),
  seconds: Number(option('seconds', 5)),
  warmup: Number(option('warmup', 2)),
  connections: String(option('connections', '16,256')).split(',').map(Number),
  only: option('only') ? String(option('only')).split(',') : [],
  build: !option('no-build', false),
  peers: !option('no-peers', false),
  write: !option('no-write', false),
  out: path.resolve(ROOT, String(option('out', 'docs/perf'))),
  scratch: path.resolve(ROOT, String(option('scratch', 'target/load'))),
};

function log(line) {
  process.stderr.write(`${line}\n`);
}

/** Scope for started children (the interop libraries' `t`). */
const t = {
  children: [],
  track(child) {
    this.children.push(child);
    return child;
  },
};

async function ensureTools() {
  if (!existsSync('/usr/bin/wrk')) {
    log('installing wrk (Debian)');
    execFileSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null'], {
      stdio: 'inherit',
    });
  }
  if (os.availableParallelism() < 2) log('warning: fewer than 2 CPUs: server and load generator share one');
  const interop = path.join(ROOT, 'tests/interop');
  if (!existsSync(path.join(interop, 'node_modules/oidc-provider'))) {
    log('installing the interop peers (npm ci in tests/interop)');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: interop, stdio: 'inherit' });
  }
  if (opts.build) {
    log('building the release binaries');
    execFileSync('cargo', ['build', '--release', '--locked', '-p', 'whoami', '-p', 'load-chart'], { cwd: ROOT, stdio: 'inherit' });
  }
  releaseBinary('whoami');
}

function installPeers() {
  const dir = path.join(opts.scratch, 'peers');
  log(`installing the peer SDKs into ${dir}`);
  const out = execFileSync('bash', [path.join(ROOT, 'bench/load/peers/install.sh'), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  // install.sh prints `key=absolute path` lines: node_dir, node_server, venv_python, python_server.
  return Object.fromEntries(
    out
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).trim()]),
  );
}

function targetsFor(issuers, peersDir) {
  const targets = [];
  for (const mode of ['none', 'jwt', 'introspection', 'userinfo']) {
    // One process per protocol, so that each one's memory is its own: the 2025-11-25 cells
    // keep one rmcp session per connection open for the whole run. Sessions are always
    // streamed by rmcp, so they are measured once per mode, on the default framing.
    targets.push(
      rustTarget({ mode, framing: 'json', issuers, protocols: ['stateless'] }),
      rustTarget({ mode, framing: 'sse', issuers, protocols: ['stateless'] }),
      rustTarget({ mode, framing: 'json', issuers, protocols: ['session'] }),
    );
  }
  if (peersDir) {
    targets.push(
      peerTarget({
        name: 'npm mcp-auth (jwt)',
        command: process.execPath,
        args: [peersDir.node_server],
        cwd: peersDir.node_dir,
        issuers,
        protocols: ['peer'],
      }),
      peerTarget({
        name: 'PyPI mcpauth (jwt)',
        command: peersDir.venv_python,
        args: [peersDir.python_server],
        cwd: path.dirname(peersDir.python_server),
        issuers,
        protocols: ['peer'],
      }),
    );
  }
  return targets.filter((target) => opts.only.length === 0 || opts.only.some((w) => target.name.includes(w)));
}

/** The request of a cell: URL, body, header fields. */
function requestOf(target, protocol) {
  const { url, token } = target.running;
  // The peers serve each request statelessly in their fastest documented setup, speaking
  // 2025-11-25 without a session (see bench/load/peers/README.md).
  const wire = protocol === 'peer' ? 'session' : protocol;
  const sessionId = protocol === 'session' ? target.running.sessionId : undefined;
  return { url, body: callBody(wire), headers: callHeaders(wire, { token, sessionId }) };
}

async function main() {
  await ensureTools();
  const peersDir = opts.peers ? installPeers() : undefined;

  log('starting oidc-provider (JWT RS256, and opaque)');
  const opaqueCalls = { introspection: 0, userinfo: 0 };
  const issuers = {
    jwt: await startOidcProvider(t, { name: 'oidc-provider jwt', tokenFormat: 'jwt', alg: 'RS256', accessTokenTtl: 3600 }),
    opaque: await startOidcProvider(t, { name: 'oidc-provider opaque', tokenFormat: 'opaque', accessTokenTtl: 3600 }),
  };
  issuers.opaque.child.proc.stdout.on('data', (chunk) => {
    const text = chunk.toString('utf8');
    opaqueCalls.introspection += (text.match(/POST \/token\/introspection -> /g) ?? []).length;
    opaqueCalls.userinfo += (text.match(/GET \/me -> /g) ?? []).length;
  });

  const targets = targetsFor(issuers, peersDir);
  for (const target of targets) {
    log(`starting ${target.name}`);
    target.running = await target.start(t, SERVER_CPU);
    const { url, token, expect, child } = target.running;
    if (target.protocols.includes('session')) target.running.sessionId = await openSession(url, token);
    // One checked call per protocol before any load: a wrong setup fails here, with the answer.
    for (const protocol of target.protocols) {
      const { url: u, body, headers } = requestOf(target, protocol);
      const response = await fetch(u, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      const text = await response.text();
      if (response.status !== 200 || !text.includes(expect)) {
        throw new Error(`${target.name} ${protocol}: ${response.status} ${text.slice(0, 400)}`);
      }
    }
    target.idle = memory(child.pid);
  }

  const cells = [];
  for (const target of targets) {
    for (const protocol of target.protocols) {
      for (const connections of opts.connections) cells.push({ target, protocol, connections, runs: [] });
    }
  }
  // 2025-11-25: one session per connection, as each real client has its own.
  for (const cell of cells.filter((c) => c.protocol === 'session')) {
    const { url, token } = cell.target.running;
    cell.sessions = [];
    for (let i = 0; i < cell.connections; i++) cell.sessions.push(await openSession(url, token));
  }
  const runCell = async (cell, seconds) => {
    const { url, body, headers } = requestOf(cell.target, cell.protocol);
    const pid = cell.target.running.child.pid;
    const cpuBefore = cpuSeconds(pid);
    const peakReset = resetPeak(pid);
    const result = await wrk({
      url,
      body,
      headers,
      expect: cell.target.running.expect,
      connections: cell.connections,
      seconds,
      cpu: LOAD_CPU,
      sessions: cell.sessions,
    });
    // The server's CPU time per answer, and how busy its core was: a server below ~90 % is
    // waiting on something (or the load generator is the limit), not out of CPU.
    const cpu = cpuSeconds(pid) - cpuBefore;
    result.cpuUsPerRequest = (cpu / result.requests) * 1e6;
    result.serverBusy = cpu / (result.duration_us / 1e6);
    // The server's peak RSS during this cell alone (the whole run's peak when unsupported).
    result.peakMiB = memory(pid).peakKiB / 1024;
    result.peakIsCell = peakReset;
    return result;
  };

  const started = Date.now();
  log(`warm-up: ${cells.length} cells × ${opts.warmup} s`);
  for (const cell of cells) await runCell(cell, opts.warmup);
  for (let round = 1; round <= opts.rounds; round++) {
    for (const cell of cells) {
      const result = await runCell(cell, opts.seconds);
      cell.runs.push(result);
      log(
        `round ${round}/${opts.rounds}  ${cell.target.name.padEnd(28)} ${cell.protocol.padEnd(9)} c${String(cell.connections).padEnd(4)} ` +
          `${result.rps.toFixed(0).padStart(7)} req/s  p50 ${(result.p50_us / 1000).toFixed(2)} ms  p99 ${(result.p99_us / 1000).toFixed(2)} ms  ` +
          `${result.cpuUsPerRequest.toFixed(1)} µs CPU/req  busy ${(result.serverBusy * 100).toFixed(0)} %  errors ${result.errors}` +
          (result.errors ? `  (${result.sample})` : ''),
      );
    }
  }
  const elapsedS = (Date.now() - started) / 1000;
  for (const target of targets) target.peak = memory(target.running.child.pid);

  const results = summarize({
    opts,
    cells,
    targets,
    upstream: { ...opaqueCalls, elapsedS, tokenCacheTtlS: 60 },
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', kernel: os.release() },
    protocols: PROTOCOLS,
  });
  const markdown = renderMarkdown(results);
  process.stdout.write(markdown);
  if (opts.write) {
    mkdirSync(opts.out, { recursive: true });
    const json = path.join(opts.out, 'results.json');
    writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(path.join(opts.out, 'results.md'), markdown);
    const chart = await run(releaseBinary('load-chart'), [json, path.join(opts.out, 'throughput.svg')], { timeoutMs: 60_000 });
    if (chart.code !== 0) throw new Error(`load-chart failed: ${chart.stderr}`);
    log(`wrote ${path.relative(ROOT, opts.out)}/results.md, results.json, throughput.svg`);
  }
  const failed = results.cells.filter((c) => c.errors > 0);
  if (failed.length) {
    log(`${failed.length} cell(s) had errors`);
    process.exitCode = 1;
  }
}

const stopEverything = async () => {
  await Promise.all(t.children.map((child) => child.stop(1000)));
  await stopAll();
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopEverything().finally(() => process.exit(130));
  });
}
main()
  .catch((error) => {
    log(`load harness failed: ${error.stack ?? error}`);
    process.exitCode = 1;
  })
  .finally(stopEverything);
