#!/usr/bin/env node
// Stall guard (CI): the release whoami binary with its default settings (embedded development
// authorization server, userinfo verifier, default framing), 200 sequential `tools/call whoami`
// over ONE keep-alive connection on each path a client can take, and the median must stay under
// 10 ms:
//
//   * Streamable HTTP, 2025-11-25 session (answers streamed as text/event-stream),
//   * Streamable HTTP, 2026-07-28 stateless (default framing),
//   * legacy HTTP+SSE (answers on the event stream, POSTs on a keep-alive connection).
//
// A socket without TCP_NODELAY makes every answer written in pieces wait ~40 ms for the
// client's delayed ACK; a healthy answer takes about a millisecond on loopback, so the 10 ms
// bound has a wide margin on a noisy machine. This is the only timed check in CI; throughput is
// measured by run.mjs, never asserted.
//
//   node bench/load/stall-guard.mjs [--no-build] [--requests=200]

import { execFileSync } from 'node:child_process';
import http from 'node:http';

import { ROOT } from '../../tests/interop/lib/examples.mjs';
import { freePort, start, stopAll, tail } from '../../tests/interop/lib/proc.mjs';
import { callBody, callHeaders, PROTOCOLS } from './lib/mcp.mjs';
import { releaseBinary } from './lib/targets.mjs';

const LIMIT_MS = 10;
const args = process.argv.slice(2);
const REQUESTS = Number(args.find((a) => a.startsWith('--requests='))?.split('=')[1] ?? 200);
const EXPECT = 'u-alice';

/** One HTTP/1.1 exchange on `agent` (keep-alive, one socket); resolves to status, headers, body. */
function exchange(agent, url, { method = 'POST', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent, headers, timeout: 10_000 }, (response) => {
      const chunks = [];
      response.on('data', (c) => chunks.push(c));
      response.on('end', () =>
        resolve({
          status: response.statusCode,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          reused: request.reusedSocket,
        }),
      );
    });
    request.on('timeout', () => request.destroy(new Error(`${url}: no answer within 10 s`)));
    request.on('error', reject);
    request.end(body);
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Times `REQUESTS` calls of `once()`; each must resolve to a body containing EXPECT. */
async function timed(name, once) {
  const times = [];
  let fresh = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = process.hrtime.bigint();
    const { body, reused } = await once(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (!body.includes(EXPECT)) throw new Error(`${name}: answer ${i} lacks ${EXPECT}: ${body.slice(0, 300)}`);
    if (i > 0 && reused === false) fresh++;
  }
  if (fresh > 0) throw new Error(`${name}: ${fresh} requests were sent on a new connection, not keep-alive`);
  const sorted = [...times].sort((a, b) => a - b);
  const result = { name, median: median(times), p90: sorted[Math.floor(sorted.length * 0.9)], max: sorted.at(-1) };
  const verdict = result.median < LIMIT_MS ? 'ok' : 'STALL';
  console.log(
    `${verdict.padEnd(5)} ${name.padEnd(44)} median ${result.median.toFixed(2)} ms  p90 ${result.p90.toFixed(2)} ms  max ${result.max.toFixed(2)} ms  (${REQUESTS} sequential, keep-alive)`,
  );
  return result;
}

async function streamableSession(base, token) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = `${base}/mcp`;
  const headers = callHeaders('session', { token });
  const init = await exchange(agent, url, {
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: PROTOCOLS.session, capabilities: {}, clientInfo: { name: 'stall-guard', version: '1' } },
    }),
  });
  const sessionId = init.headers['mcp-session-id'];
  if (init.status !== 200 || !sessionId) throw new Error(`initialize: ${init.status} ${init.body.slice(0, 300)}`);
  const withSession = { ...headers, 'Mcp-Session-Id': sessionId };
  await exchange(agent, url, { headers: withSession, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  const body = callBody('session');
  try {
    return await timed('Streamable HTTP 2025-11-25 session', () => exchange(agent, url, { headers: withSession, body }));
  } finally {
    agent.destroy();
  }
}

async function streamableStateless(base, token) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = `${base}/mcp`;
  const headers = callHeaders('stateless', { token });
  const body = callBody('stateless');
  try {
    return await timed('Streamable HTTP 2026-07-28 stateless', () => exchange(agent, url, { headers, body }));
  } finally {
    agent.destroy();
  }
}

/** The legacy transport: GET /sse (event stream), POSTs to the endpoint it names. */
async function legacySse(base, token) {
  const events = [];
  let wake;
  const stream = await new Promise((resolve, reject) => {
    const request = http.get(`${base}/sse`, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) reject(new Error(`GET /sse answered ${response.statusCode}`));
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        buffer += chunk.replaceAll('\r\n', '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = { event: 'message', data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event.event = line.slice(6).trim();
            else if (line.startsWith('data:')) event.data += line.slice(5).trim();
          }
          events.push(event);
          wake?.();
        }
      });
      resolve(request);
    });
    request.on('error', reject);
  });
  const next = async (predicate) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const index = events.findIndex(predicate);
      if (index >= 0) return events.splice(index, 1)[0];
      if (Date.now() > deadline) throw new Error('legacy SSE: no event within 10 s');
      await new Promise((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const endpoint = new URL((await next((e) => e.event === 'endpoint')).data, base).href;
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const rpc = async (message, id) => {
      const posted = await exchange(agent, endpoint, { headers, body: JSON.stringify(message) });
      if (posted.status !== 202) throw new Error(`legacy SSE POST answered ${posted.status}: ${posted.body.slice(0, 300)}`);
      if (id === undefined) return posted;
      const event = await next((e) => e.data.includes(`"id":${id}`));
      return { body: event.data, reused: posted.reused };
    };
    await rpc(
      { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'stall-guard', version: '1' } } },
      0,
    );
    await rpc({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return await timed('legacy HTTP+SSE', (i) =>
      rpc({ jsonrpc: '2.0', id: i + 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }, i + 1),
    );
  } finally {
    agent.destroy();
    stream.destroy();
  }
}

async function main() {
  if (!args.includes('--no-build')) {
    execFileSync('cargo', ['build', '--release', '--locked', '-p', 'whoami'], { cwd: ROOT, stdio: 'inherit' });
  }
  // Default settings, except the ports: free ones, so a busy 3000/3001 cannot fail CI.
  const [port, devPort] = [await freePort(), await freePort()];
  const child = start('whoami', releaseBinary('whoami'), [], {
    env: { MCP_BIND: `127.0.0.1:${port}`, MCP_AUTH_DEV_BIND: `127.0.0.1:${devPort}`, NO_COLOR: '1' },
  });
  await child.waitForOutput(/export SSE_TOKEN='[^']+'/, 60_000);
  const token = child.output().match(/export TOKEN='([^']+)'/)?.[1];
  const sseToken = child.output().match(/export SSE_TOKEN='([^']+)'/)?.[1];
  if (!token || !sseToken) throw new Error(`whoami printed no tokens:\n${tail(child.output())}`);
  const base = `http://127.0.0.1:${port}`;
  const results = [await streamableSession(base, token), await streamableStateless(base, token), await legacySse(base, sseToken)];
  const stalled = results.filter((r) => r.median >= LIMIT_MS);
  if (stalled.length) {
    console.log(`stall guard FAILED: median ≥ ${LIMIT_MS} ms on ${stalled.map((r) => r.name).join(', ')}`);
    process.exitCode = 1;
  } else {
    console.log(`stall guard passed: every median under ${LIMIT_MS} ms`);
  }
}

main()
  .catch((error) => {
    console.error(`stall guard failed: ${error.stack ?? error}`);
    process.exitCode = 1;
  })
  .finally(stopAll);
