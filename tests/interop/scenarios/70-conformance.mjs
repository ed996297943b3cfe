// Issue 5, scenario 7: the MCP conformance suite (@modelcontextprotocol/conformance 0.1.16,
// server mode, every scenario incl. pending ones) against examples/conformance-server, the
// suite's reference fixture (tools test_*, resources test://*, prompts test_*, completion,
// logging) on rmcp behind mcp-auth, plus a `whoami` tool that returns the caller's identity.
//
// The suite has no authentication support in server mode (no header option), and its auth/*
// scenarios all test clients (it plays the protected server and the AS itself). So:
//   * the whole server suite runs against the fixture started with MCP_AUTH_INSECURE_NO_AUTH=1,
//     with conformance/expected-failures.yml naming each scenario it cannot pass and why;
//   * the same suite runs against the protected fixture through a loopback proxy that adds a
//     token from a real code flow, and must give the same results: the Bearer layer and the
//     session binding change nothing for an authorized client (server-to-client requests on
//     the session's streams included: sampling, elicitation, logging, progress), the identity
//     reaches the tools, and the Host check (dns-rebinding-protection) still refuses a foreign
//     Host that carries a valid token.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import {
  checkText,
  readExpectedFailures,
  runServerSuite,
  serverScenarioNames,
  startBearerProxy,
  startUnprotectedExample,
  tally,
} from '../lib/conformance.mjs';
import { startExample } from '../lib/examples.mjs';
import { callJsonTool, connectWithOAuth } from '../lib/mcp-client.mjs';
import { tail } from '../lib/proc.mjs';

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'interop', version: '1' } },
});

function initialize(url, headers = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: INITIALIZE,
  });
}

/** POST initialize to `url` with a chosen Host header (fetch cannot set one). */
function initializeWithHost(url, host, headers) {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          host,
          origin: `http://${host}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        timeout: 10_000,
      },
      (response) => {
        response.resume();
        resolve({ status: response.statusCode, challenge: response.headers['www-authenticate'] });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(INITIALIZE);
  });
}

/** A TS SDK client on Streamable HTTP without credentials of its own; closed when `t` ends. */
async function connectPlain(t, url) {
  const client = new Client({ name: 'mcp-auth-interop', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  t.defer(() => client.close());
  return client;
}

/**
 * Runs the whole server suite against `url` and asserts the outcome against the expected
 * failures: exit 0, every listed scenario ran, each expected failure fails for its stated reason
 * only, every other scenario passes without warnings. Returns the per-scenario tallies.
 */
async function assertSuite(t, url, label) {
  const names = await serverScenarioNames();
  assert.ok(names.length >= 30 && names.includes('dns-rebinding-protection'), `server scenarios: ${names}`);
  const expected = readExpectedFailures();
  for (const entry of expected) assert.ok(names.includes(entry.scenario), `unknown scenario in the baseline: ${entry.scenario}`);
  const byName = new Map(expected.map((e) => [e.scenario, e]));

  const outputDir = path.join(t.outDir, 'conformance', label);
  const outcome = await runServerSuite(url, { outputDir, suite: 'all' });
  t.log(`conformance server --suite all --url ${url}: exit ${outcome.code}; results in ${outputDir}`);
  const summary = {};
  for (const name of names) {
    const checks = outcome.results.get(name) ?? [];
    summary[name] = tally(checks);
    const { passed, failed, warnings } = summary[name];
    t.log(`  ${name}: ${passed} passed, ${failed} failed${warnings ? `, ${warnings} warnings` : ''}${byName.has(name) ? '  (expected)' : ''}`);
  }
  writeFileSync(path.join(outputDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  t.log(tail(outcome.stdout, 40));

  assert.equal(outcome.code, 0, `conformance exit ${outcome.code}:\n${tail(outcome.stdout, 40)}\n${tail(outcome.stderr, 20)}`);
  assert.match(outcome.stdout, /Baseline check passed/);
  assert.deepEqual([...outcome.results.keys()].sort(), [...names].sort(), 'every server scenario ran');
  for (const name of names) {
    const checks = outcome.results.get(name);
    const { passed, failed, warnings } = summary[name];
    const entry = byName.get(name);
    if (entry) {
      const bad = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
      assert.ok(bad.length > 0, `${name} is expected to fail (${entry.reason}) but passed`);
      for (const check of bad) {
        assert.ok(
          checkText(check).includes(entry.failsWith),
          `${name} fails for another reason than "${entry.failsWith}": ${checkText(check)}`,
        );
      }
    } else {
      assert.ok(passed > 0 && failed === 0 && warnings === 0, `${name}: ${JSON.stringify(summary[name])} ${checks.map(checkText).join('; ')}`);
    }
  }
  // SSE polling (SEP-1699): the POST stream starts with a priming event and a retry field; the
  // disconnect/resume part is informational (test_reconnection answers on its stream).
  const polling = outcome.results.get('server-sse-polling');
  for (const id of ['server-sse-priming-event', 'server-sse-retry-field']) {
    assert.equal(polling.find((c) => c.id === id)?.status, 'SUCCESS', `server-sse-polling ${id}`);
  }
  t.log(`server-sse-polling resume: ${polling.find((c) => c.id === 'server-sse-disconnect-resume')?.details?.message}`);
  const rebinding = outcome.results.get('dns-rebinding-protection');
  for (const id of ['localhost-host-rebinding-rejected', 'localhost-host-valid-accepted']) {
    assert.equal(rebinding.find((c) => c.id === id)?.status, 'SUCCESS', `dns-rebinding-protection ${id}`);
  }
  return { summary, rebinding };
}

export default [
  {
    name: '7 conformance 0.1.16 server suite (all scenarios) → conformance-server without authentication (MCP_AUTH_INSECURE_NO_AUTH=1), expected failures with reasons',
    timeoutMs: 300_000,
    async run(t) {
      const server = await startUnprotectedExample(t, 'conformance-server');
      // Really unprotected: no metadata, no challenge, the loud banner, and no identity.
      assert.equal((await fetch(`${server.base}/.well-known/oauth-protected-resource/mcp`)).status, 404);
      const response = await initialize(server.mcpUrl);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('www-authenticate'), null);
      await response.body?.cancel();
      await server.child.waitForOutput(/!!! INSECURE: MCP_AUTH_INSECURE_NO_AUTH is set/);
      const client = await connectPlain(t, server.mcpUrl);
      assert.deepEqual((await callJsonTool(client, 'whoami')).json, { error: 'Not authenticated' });

      await assertSuite(t, server.mcpUrl, 'unprotected');
    },
  },
  {
    name: '7 conformance 0.1.16 server suite → protected conformance-server through a proxy adding a code-flow token: same results, caller identity reaches the tools; dns-rebinding refused even with a valid token',
    timeoutMs: 300_000,
    async run(t) {
      const server = await startExample(t, 'conformance-server');
      const unauthenticated = await initialize(server.mcpUrl);
      assert.equal(unauthenticated.status, 401);
      await unauthenticated.body?.cancel();

      const { client, provider } = await connectWithOAuth(server.mcpUrl, { log: (l) => t.log(l) });
      const identity = (await callJsonTool(client, 'whoami')).json;
      await client.close();
      t.log(`whoami after the code flow: ${JSON.stringify(identity)}`);
      // The userinfo verifier (the default): subject and issuer, no scopes or client in userinfo.
      assert.equal(identity.subject, 'u-alice');
      assert.equal(identity.issuer, server.issuer);
      const token = provider.tokens().access_token;
      const proxy = await startBearerProxy(t, server.base, token);
      // The proxy's token is the identity the suite's calls carry.
      const viaProxy = await connectPlain(t, `${proxy.base}/mcp`);
      assert.equal((await callJsonTool(viaProxy, 'whoami')).json.subject, 'u-alice');

      const { rebinding } = await assertSuite(t, `${proxy.base}/mcp`, 'protected-via-proxy');
      assert.ok(proxy.forwarded > 30, `requests went through the proxy (${proxy.forwarded})`);
      // The foreign Host carried a valid token: refused by the Host check, not by the Bearer layer.
      const refused = rebinding.find((c) => c.id === 'localhost-host-rebinding-rejected');
      t.log(`rebinding request with a valid token: ${JSON.stringify(refused.details)}`);
      assert.equal(refused.details.statusCode, 403);
      // The same directly: a valid token with a foreign Host gets 403 without a Bearer challenge
      // (rmcp's Host check), and with the server's own Host it is served.
      const foreign = await initializeWithHost(server.mcpUrl, 'evil.example.com', { authorization: `Bearer ${token}` });
      assert.deepEqual(foreign, { status: 403, challenge: undefined });
      const own = await initializeWithHost(server.mcpUrl, new URL(server.base).host, { authorization: `Bearer ${token}` });
      assert.equal(own.status, 200);
    },
  },
];
