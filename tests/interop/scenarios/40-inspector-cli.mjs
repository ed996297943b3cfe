// Scenario 4: MCP Inspector's CLI against the whoami example on the embedded development
// authorization server — with a bearer token given on the command line, with the CLI's own
// OAuth flow (registration, PKCE, `resource`) through the server's real login and consent
// pages, and refused without a valid token.
//
// Ports: the CLI's OAuth callback listener defaults to the fixed 127.0.0.1:6276; these
// scenarios move it to a free port with --callback-url (the development server accepts any
// loopback port, RFC 8252 §7.3).
import assert from 'node:assert/strict';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { startExample } from '../lib/examples.mjs';
import { BROWSER_SCRIPT, inspectorHome, runInspectorCli, whoamiClaims } from '../lib/inspector.mjs';
import { connectWithOAuth } from '../lib/mcp-client.mjs';
import { freePort } from '../lib/proc.mjs';

/** Logs a CLI run (exit code, stdout, stderr) into the scenario's log. */
function logRun(t, label, result) {
  t.log(`${label}: exit ${result.code}`);
  t.log(`${label} stdout: ${result.stdout.trim()}`);
  t.log(`${label} stderr: ${result.stderr.trim()}`);
}

/** The error envelope the CLI prints on failure (`{"error":{"code","message"}}`), if any. */
function errorEnvelope(result) {
  for (const text of [result.stderr, result.stdout]) {
    for (const line of text.split('\n').reverse()) {
      if (!line.trim().startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line);
        if (parsed.error) return parsed.error;
      } catch {
        // not JSON
      }
    }
  }
  return undefined;
}

export default [
  {
    name: '4 MCP Inspector CLI, Streamable HTTP: --header "Authorization: Bearer <alice token from the dev server>" → whoami sub u-alice',
    async run(t) {
      const whoami = await startExample(t, 'whoami');
      // A user token from the dev server: the TS SDK client's code flow as alice.
      const { client, provider } = await connectWithOAuth(whoami.mcpUrl, { log: (l) => t.log(`sdk ${l}`) });
      await client.close();
      const token = provider.tokens()?.access_token;
      assert.ok(token, 'the SDK client got no access token');

      const home = inspectorHome(t, 'inspector-cli-bearer');
      const result = await runInspectorCli(
        [whoami.mcpUrl, '--method', 'tools/call', '--tool-name', 'whoami', '--header', `Authorization: Bearer ${token}`, '--format', 'json'],
        { home },
      );
      logRun(t, 'inspector', result);
      assert.equal(result.code, 0, `the CLI failed: ${result.stderr.trim()}`);
      assert.equal(result.json?.result?.isError, false, 'whoami reported an error');
      const claims = whoamiClaims(result.json);
      assert.ok(claims, `no whoami JSON in the CLI output: ${result.stdout}`);
      assert.equal(claims.sub, 'u-alice');
      assert.equal(claims.preferred_username, 'alice');
    },
  },
  {
    name: '4 MCP Inspector CLI: no token or a bad bearer token → 401 from whoami, the CLI fails with auth_required',
    async run(t) {
      const whoami = await startExample(t, 'whoami');
      const bad = 'Bearer not-a-token-the-dev-server-issued';
      // What the CLI receives (so the failure below is the server's refusal, not a CLI error).
      const direct = await fetch(whoami.mcpUrl, {
        method: 'POST',
        headers: { authorization: bad, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
      const challenge = direct.headers.get('www-authenticate') ?? '';
      t.log(`POST /mcp with a bad token -> ${direct.status} ${challenge}`);
      assert.equal(direct.status, 401);
      assert.match(challenge, /^Bearer /);
      assert.match(challenge, /error="invalid_token"/);
      assert.match(challenge, /resource_metadata="[^"]*\/\.well-known\/oauth-protected-resource\/mcp"/);

      const cases = [
        // A bad token: the CLI gets 401, may not start an interactive login (no TTY, auto-open off).
        ['bad token', ['--header', `Authorization: ${bad}`]],
        // No token at all, and no stored authorization to fall back on.
        ['no token', ['--stored-auth-only']],
      ];
      for (const [label, extra] of cases) {
        const home = inspectorHome(t, 'inspector-cli-refused');
        const result = await runInspectorCli(
          [whoami.mcpUrl, '--method', 'tools/call', '--tool-name', 'whoami', ...extra, '--format', 'json'],
          { home },
        );
        logRun(t, label, result);
        assert.notEqual(result.code, 0, `${label}: the CLI succeeded`);
        assert.notEqual(result.code, 'timeout', `${label}: the CLI hung`);
        assert.doesNotMatch(result.stdout, /u-alice/, `${label}: whoami answered`);
        assert.equal(result.code, 3, `${label}: expected exit 3 (AUTH_REQUIRED), got ${result.code}`);
        assert.equal(errorEnvelope(result)?.code, 'auth_required', `${label}: no auth_required error envelope`);
      }
    },
  },
  {
    name: "4 MCP Inspector CLI, own OAuth flow headless: DCR + PKCE S256 + resource, dev server's login (alice) and consent pages → whoami sub u-alice",
    timeoutMs: 150_000,
    async run(t) {
      assert.ok(existsSync(BROWSER_SCRIPT), `${BROWSER_SCRIPT} is missing`);
      try {
        accessSync(BROWSER_SCRIPT, constants.X_OK);
      } catch {
        throw new Error(`${BROWSER_SCRIPT} is not executable (chmod +x; xdg-open runs it as $BROWSER)`);
      }
      const whoami = await startExample(t, 'whoami');
      const home = inspectorHome(t, 'inspector-cli-oauth');
      const browserLog = path.join(home, 'browser.log');
      const callbackUrl = `http://127.0.0.1:${await freePort()}/oauth/callback`;
      const env = {
        MCP_AUTO_OPEN_ENABLED: 'true', // open the "browser" although stdin/stderr are no TTY
        BROWSER: BROWSER_SCRIPT,
        INTEROP_NODE: process.execPath,
        INTEROP_BROWSER_USER: 'alice',
        INTEROP_REDIRECT_PREFIX: callbackUrl,
        INTEROP_BROWSER_LOG: browserLog,
      };
      const args = [whoami.mcpUrl, '--method', 'tools/call', '--tool-name', 'whoami', '--format', 'json', '--callback-url', callbackUrl];
      const result = await runInspectorCli(args, { home, env, timeoutMs: 90_000 });
      logRun(t, 'inspector', result);
      const browsed = existsSync(browserLog) ? readFileSync(browserLog, 'utf8') : '';
      t.log(`browser:\n${browsed.trim()}`);
      assert.equal(result.code, 0, `the CLI failed (${result.code}): ${result.stderr.trim().slice(-500)}`);

      // The authorization request the CLI built (it prints the URL it opens).
      const printed = result.stderr.match(/Please navigate to: (\S+)/);
      assert.ok(printed, 'the CLI printed no authorization URL');
      const authorization = new URL(printed[1]);
      assert.equal(`${authorization.origin}${authorization.pathname}`, `${whoami.issuer}/authorize`);
      const q = authorization.searchParams;
      assert.equal(q.get('response_type'), 'code');
      assert.equal(q.get('code_challenge_method'), 'S256');
      assert.ok(q.get('code_challenge'), 'no code_challenge');
      assert.ok(q.get('state'), 'no state');
      assert.equal(q.get('redirect_uri'), callbackUrl);
      assert.equal(q.get('resource'), whoami.mcpUrl);
      // A dynamically registered client (fresh HOME), not the pre-registered one.
      assert.ok(q.get('client_id') && q.get('client_id') !== 'mcp-inspector', `client_id ${q.get('client_id')}`);

      // The dev server's real pages, then the code delivered to the CLI's listener.
      const steps = [
        /GET \S+\/authorize -> 200/,
        /POST \S+\/authorize\/login -> 200/,
        /POST \S+\/authorize\/consent -> 303/,
        new RegExp(`GET ${callbackUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} -> 200`),
        /redirected with code/,
      ];
      let from = 0;
      for (const step of steps) {
        const index = browsed.slice(from).search(step);
        assert.ok(index >= 0, `browser log lacks ${step} (in order)`);
        from += index;
      }

      const claims = whoamiClaims(result.json);
      assert.ok(claims, `no whoami JSON in the CLI output: ${result.stdout}`);
      assert.equal(claims.sub, 'u-alice');
    },
  },
];
