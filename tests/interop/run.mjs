#!/usr/bin/env node
// Interop runner: builds the example binaries, runs every scenario in `scenarios/` against real
// third-party peers on 127.0.0.1, prints one line per scenario and a final
// "N passed, N failed" line, and exits non-zero when any scenario failed.
//
//   node run.mjs                 # all scenarios
//   node run.mjs inspector sse   # only scenarios whose name contains one of the words
//   node run.mjs --no-build      # use the binaries already in target/debug
//   node run.mjs --list          # names only
//
// Every server a scenario starts is killed by PID (its process group) when the scenario ends;
// each scenario has a deadline. Logs of a failed scenario go to out/<scenario>.log.

import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { ROOT } from './lib/examples.mjs';
import { run, stopAll, tail } from './lib/proc.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(HERE, 'out');
const DEFAULT_TIMEOUT_MS = 120_000;

const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const listOnly = args.includes('--list');
const filters = args.filter((a) => !a.startsWith('--'));

async function loadScenarios() {
  const dir = path.join(HERE, 'scenarios');
  const files = readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort();
  const all = [];
  for (const file of files) {
    const module = await import(pathToFileURL(path.join(dir, file)).href);
    for (const scenario of module.default) all.push({ ...scenario, file });
  }
  return all.filter((s) => filters.length === 0 || filters.some((f) => s.name.includes(f)));
}

function slug(name) {
  return name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
}

/** The context a scenario's `run(t)` receives. */
class Context {
  constructor(name) {
    this.name = name;
    this.children = [];
    this.cleanups = [];
    this.lines = [];
    this.outDir = OUT;
  }

  /** Registers a started child so it is stopped when the scenario ends. */
  track(child) {
    this.children.push(child);
    return child;
  }

  /** Runs `fn` when the scenario ends (last registered, first run). */
  defer(fn) {
    this.cleanups.push(fn);
  }

  log(line) {
    this.lines.push(String(line));
  }

  async cleanup() {
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        this.log(`cleanup failed: ${error.message}`);
      }
    }
    await Promise.all(this.children.map((c) => c.stop()));
  }

  report(error) {
    const parts = [`# ${this.name}`, '', String(error?.stack ?? error), '', '## log', ...this.lines];
    for (const child of this.children) {
      parts.push('', `## ${child.name} (pid ${child.pid}, exit ${child.exitCode})`, tail(child.output(), 200));
    }
    return parts.join('\n');
  }
}

async function runScenario(scenario) {
  const t = new Context(scenario.name);
  const timeoutMs = scenario.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer;
  const started = Date.now();
  let error;
  try {
    await Promise.race([
      scenario.run(t),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } catch (e) {
    error = e;
  } finally {
    clearTimeout(timer);
    await t.cleanup();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (error) {
    const file = path.join(OUT, `${slug(scenario.name)}.log`);
    writeFileSync(file, t.report(error));
    const message = String(error.message ?? error).split('\n')[0].slice(0, 300);
    console.log(`FAIL  ${scenario.name}  (${seconds} s): ${message}  [log: ${path.relative(process.cwd(), file)}]`);
    return false;
  }
  console.log(`PASS  ${scenario.name}  (${seconds} s)`);
  return true;
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const scenarios = await loadScenarios();
  if (listOnly) {
    for (const s of scenarios) console.log(s.name);
    return 0;
  }
  if (scenarios.length === 0) {
    console.log('no scenario matches');
    return 1;
  }
  if (build) {
    const cargo = await run('cargo', ['build', '--locked', '-p', 'whoami', '-p', 'todo-manager', '-p', 'conformance-server'], {
      cwd: ROOT,
      timeoutMs: 30 * 60_000,
    });
    if (cargo.code !== 0) {
      console.log(`FAIL  cargo build (${cargo.code})\n${tail(cargo.stderr)}`);
      return 1;
    }
  }
  const started = Date.now();
  let passed = 0;
  let failed = 0;
  for (const scenario of scenarios) {
    if (await runScenario(scenario)) passed++;
    else failed++;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`${passed} passed, ${failed} failed (${seconds} s)`);
  return failed === 0 ? 0 : 1;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await stopAll();
    process.exit(130);
  });
}

const code = await main().catch(async (error) => {
  console.log(`FAIL  runner: ${error.stack ?? error}`);
  return 1;
});
await stopAll();
process.exit(code);
