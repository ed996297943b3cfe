// Scenario 3: the project's development authorization server with a third-party client. The
// MCP TypeScript SDK client runs the whole MCP authorization discovery against whoami on the
// embedded server: proof that the server interoperates, not only with our own client.
import assert from 'node:assert/strict';

import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';

import { startExample } from '../lib/examples.mjs';
import { callJsonTool, connectWithOAuth, connectWithToken, recordingFetch } from '../lib/mcp-client.mjs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** The JSON payload of a JWT (no verification: whoami verified it). */
function jwtPayload(token) {
  const parts = token.split('.');
  assert.equal(parts.length, 3, 'a JWT access token');
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

/** `METHOD path-or-url -> status` lines, with the two origins replaced by names. */
function sequence(requests, server, issuer) {
  return requests.map((r) => `${r.method} ${r.url.replace(server, 'MCP').replace(issuer, 'AS')} -> ${r.status}`);
}

/** Asserts that `expected` lines occur in `actual` in this order (other lines may come between). */
function assertInOrder(actual, expected) {
  let at = 0;
  for (const line of actual) if (line === expected[at]) at++;
  assert.equal(at, expected.length, `expected, in order:\n${expected.join('\n')}\ngot:\n${actual.join('\n')}`);
}

async function codeFlow(t, kind) {
  const whoami = await startExample(t, 'whoami', { MCP_AUTH_VERIFIER: 'jwt' });
  const url = kind === 'sse' ? whoami.sseUrl : whoami.mcpUrl;
  const path = kind === 'sse' ? '/sse' : '/mcp';
  const { client, requests, provider, authorizationUrl } = await connectWithOAuth(url, { transport: kind, log: (l) => t.log(l) });
  t.defer(() => client.close());
  const lines = sequence(requests, whoami.base, whoami.issuer);
  lines.forEach((l) => t.log(l));
  assertInOrder(lines, [
    `${kind === 'sse' ? 'GET' : 'POST'} MCP${path} -> 401`,
    `GET MCP/.well-known/oauth-protected-resource${path} -> 200`,
    'GET AS/.well-known/oauth-authorization-server -> 200',
    'POST AS/register -> 201',
    'POST AS/token -> 200',
    `${kind === 'sse' ? 'GET' : 'POST'} MCP${path} -> 200`,
  ]);
  assert.equal(authorizationUrl.origin, whoami.issuer);
  assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(authorizationUrl.searchParams.get('resource'), url);
  assert.match(provider.clientInformation().client_id, /.+/, 'dynamically registered');
  const access = provider.tokens().access_token;
  const claims = jwtPayload(access);
  assert.equal(claims.aud, url, 'the token is bound to the endpoint (RFC 8707)');
  assert.equal(claims.iss, whoami.issuer);
  const { json } = await callJsonTool(client, 'whoami');
  assert.equal(json.sub, 'u-alice');
  assert.equal(json.aud, url);
}

export default [
  {
    name: '3 dev server + TS SDK client: Streamable HTTP, DCR + code + PKCE + resource → whoami',
    run: (t) => codeFlow(t, 'http'),
  },
  {
    name: '3 dev server + TS SDK client: legacy SSE, DCR + code + PKCE + resource → whoami',
    run: (t) => codeFlow(t, 'sse'),
  },
  {
    name: '3 dev server + TS SDK client: client_credentials (confidential client) → whoami',
    async run(t) {
      const whoami = await startExample(t, 'whoami', { MCP_AUTH_VERIFIER: 'jwt' });
      const requests = [];
      const provider = new ClientCredentialsProvider({
        clientId: 'dev-client',
        clientSecret: 'dev-secret',
        expectedIssuer: whoami.issuer,
      });
      const client = new Client({ name: 'mcp-auth-interop', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(whoami.mcpUrl), { authProvider: provider, fetch: recordingFetch(requests) }),
      );
      t.defer(() => client.close());
      sequence(requests, whoami.base, whoami.issuer).forEach((l) => t.log(l));
      assert.ok(requests.some((r) => r.url === `${whoami.issuer}/token` && r.status === 200), 'token endpoint used');
      const { json } = await callJsonTool(client, 'whoami');
      assert.equal(json.sub, 'dev-client');
      assert.equal(json.aud, whoami.mcpUrl);
    },
  },
  {
    name: '3 dev server + TS SDK client: an expired access token is refreshed (rotation) on 401',
    async run(t) {
      const whoami = await startExample(t, 'whoami', { MCP_AUTH_VERIFIER: 'jwt' });
      const first = await connectWithOAuth(whoami.mcpUrl, { log: (l) => t.log(l) });
      await first.client.close();
      const before = first.provider.tokens();
      assert.ok(before.refresh_token, 'a refresh token was issued');
      // Spoil the access token: the server answers 401 invalid_token and the SDK must refresh.
      const spoiled = `${before.access_token.slice(0, -4)}AAAA`;
      first.provider.saveTokens({ ...before, access_token: spoiled });
      const raw = await fetch(whoami.mcpUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${spoiled}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: '{}',
      });
      assert.equal(raw.status, 401);
      assert.match(raw.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      const second = await connectWithOAuth(whoami.mcpUrl, { provider: first.provider, log: (l) => t.log(l) });
      t.defer(() => second.client.close());
      sequence(second.requests, whoami.base, whoami.issuer).forEach((l) => t.log(l));
      assert.equal(second.authorizationUrl, undefined, 'no new authorization: the refresh token sufficed');
      const after = first.provider.tokens();
      assert.notEqual(after.access_token, spoiled);
      assert.notEqual(after.refresh_token, before.refresh_token, 'the refresh token was rotated');
      const { json } = await callJsonTool(second.client, 'whoami');
      assert.equal(json.sub, 'u-alice');
      // The old refresh token is spent: presenting it again is refused.
      const reuse = await fetch(`${whoami.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: before.refresh_token,
          client_id: first.provider.clientInformation().client_id,
        }),
      });
      assert.equal(reuse.status, 400);
      assert.equal((await reuse.json()).error, 'invalid_grant');
      // And a plain bearer connection with the new token works too.
      const plain = await connectWithToken(whoami.mcpUrl, after.access_token);
      t.defer(() => plain.client.close());
      assert.equal((await callJsonTool(plain.client, 'whoami')).json.sub, 'u-alice');
    },
  },
];
