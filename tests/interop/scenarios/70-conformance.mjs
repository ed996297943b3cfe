// Issue 5, scenario 7: the MCP conformance suite (@modelcontextprotocol/conformance 0.1.16,
// server mode, every scenario incl. pending ones) against whoami.
//
// The suite has no authentication support in server mode (no header option), and its auth/*
// scenarios all test clients (it plays the protected server and the AS itself). So:
//   * the whole server suite runs against whoami started with MCP_AUTH_INSECURE_NO_AUTH=1, with
//     conformance/expected-failures.yml naming each scenario whoami cannot pass and why;
//   * the same suite runs against the protected whoami through a loopback proxy that adds a
//     token from a real code flow, and must give the same results: the Bearer layer and the
//     session binding change nothing for an authorized client, and the Host check
//     (dns-rebinding-protection) still refuses a foreign Host that carries a valid token.
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
import { connectWithOAuth } from '../lib/mcp-client.mjs';
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
  const rebinding = outcome.results.get('dns-rebinding-protection');
  for (const id of ['localhost-host-rebinding-rejected', 'localhost-host-valid-accepted']) {
    assert.equal(rebinding.find((c) => c.id === id)?.status, 'SUCCESS', `dns-rebinding-protection ${id}`);
  }
  return { summary, rebinding };
}

export default [
  {
    name: '7 conformance 0.1.16 server suite (all scenarios) → whoami without authentication (MCP_AUTH_INSECURE_NO_AUTH=1), expected failures with reasons',
    timeoutMs: 300_000,
    async run(t) {
      const whoami = await startUnprotectedExample(t, 'whoami');
      // Really unprotected: no metadata, no challenge, and the loud banner.
      assert.equal((await fetch(`${whoami.base}/.well-known/oauth-protected-resource/mcp`)).status, 404);
      const response = await initialize(whoami.mcpUrl);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('www-authenticate'), null);
      await response.body?.cancel();
      await whoami.child.waitForOutput(/!!! INSECURE: MCP_AUTH_INSECURE_NO_AUTH is set/);

      await assertSuite(t, whoami.mcpUrl, 'unprotected');
    },
  },
  {
    name: '7 conformance 0.1.16 server suite → protected whoami through a proxy adding a code-flow token: same results; dns-rebinding refused even with a valid token',
    timeoutMs: 300_000,
    async run(t) {
      const whoami = await startExample(t, 'whoami');
      const unauthenticated = await initialize(whoami.mcpUrl);
      assert.equal(unauthenticated.status, 401);
      await unauthenticated.body?.cancel();

      const { client, provider } = await connectWithOAuth(whoami.mcpUrl, { log: (l) => t.log(l) });
      await client.close();
      const token = provider.tokens().access_token;
      const proxy = await startBearerProxy(t, whoami.base, token);

      const { rebinding } = await assertSuite(t, `${proxy.base}/mcp`, 'protected-via-proxy');
      assert.ok(proxy.forwarded > 30, `requests went through the proxy (${proxy.forwarded})`);
      // The foreign Host carried a valid token: refused by the Host check, not by the Bearer layer.
      const refused = rebinding.find((c) => c.id === 'localhost-host-rebinding-rejected');
      t.log(`rebinding request with a valid token: ${JSON.stringify(refused.details)}`);
      assert.equal(refused.details.statusCode, 403);
      // The same directly: a valid token with a foreign Host gets 403 without a Bearer challenge
      // (rmcp's Host check), and with the server's own Host it is served.
      const foreign = await initializeWithHost(whoami.mcpUrl, 'evil.example.com', { authorization: `Bearer ${token}` });
      assert.deepEqual(foreign, { status: 403, challenge: undefined });
      const own = await initializeWithHost(whoami.mcpUrl, new URL(whoami.base).host, { authorization: `Bearer ${token}` });
      assert.equal(own.status, 200);
    },
  },
];
