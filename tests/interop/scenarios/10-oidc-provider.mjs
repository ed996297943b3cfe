// oidc-provider 9.13.3 (a real, independent OAuth 2.1 / OpenID Connect server) in front of the
// whoami example: JWT access tokens via resource indicators (RS256 and ES256) with the TS SDK
// client's whole discovery flow; opaque tokens with introspection; the userinfo verifier;
// and a token for another resource refused.
import assert from 'node:assert/strict';

import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { checkResourceAllowed } from '@modelcontextprotocol/sdk/shared/auth-utils.js';

import { startExample } from '../lib/examples.mjs';
import { callJsonTool, connectWithOAuth, connectWithToken } from '../lib/mcp-client.mjs';
import { codeFlowToken, decodeJwt, isJwt, startOidcProvider, userinfo } from '../lib/oidc.mjs';
import { freePort } from '../lib/proc.mjs';

const TIMEOUT_MS = 30_000;
const WHOAMI_SCOPES = ['openid', 'profile', 'email'];

function logRequests(t, requests) {
  for (const r of requests) t.log(`${r.method} ${r.url} -> ${r.status}`);
}

/**
 * Asserts that `requests` begins with exactly `expected` (`[method, url, status]` triples),
 * and that nothing after it was refused with 401.
 */
function assertSequence(requests, expected) {
  const seen = requests.map((r) => [r.method, r.url, r.status]);
  assert.deepEqual(seen.slice(0, expected.length), expected, `request sequence:\n${seen.map((s) => s.join(' ')).join('\n')}`);
  const late = seen.slice(expected.length).filter(([, , status]) => status === 401);
  assert.deepEqual(late, [], 'no request after authorization may be refused');
}

/**
 * The 401 from `url` names protected-resource metadata whose `resource` covers `url` (RFC 9728
 * §3.3; the SDK accepts the same origin and a path prefix), else clients must not use it.
 */
async function assertChallengeCovers(t, url, method) {
  const response = await fetch(url, { method, signal: AbortSignal.timeout(5000) });
  await response.body?.cancel();
  assert.equal(response.status, 401);
  const challenge = response.headers.get('www-authenticate') ?? '';
  t.log(`${method} ${url} -> 401 WWW-Authenticate: ${challenge}`);
  const metadataUrl = challenge.match(/resource_metadata="([^"]+)"/)?.[1];
  assert.ok(metadataUrl, `resource_metadata in ${challenge}`);
  const metadata = await (await fetch(metadataUrl, { signal: AbortSignal.timeout(5000) })).json();
  t.log(`${metadataUrl} -> ${JSON.stringify(metadata)}`);
  assert.ok(
    checkResourceAllowed({ requestedResource: url, configuredResource: metadata.resource }),
    `the 401 from ${url} names ${metadataUrl}, whose resource ${metadata.resource} does not cover ${url}`,
  );
  return { metadataUrl, resource: metadata.resource };
}

/** Starts oidc-provider (JWT access tokens, `alg`) and whoami verifying JWTs against it. */
async function jwtSetup(t, alg) {
  const as = await startOidcProvider(t, { tokenFormat: 'jwt', alg });
  const whoami = await startExample(t, 'whoami', {
    MCP_AUTH_ISSUER: as.issuer,
    MCP_AUTH_ISSUER_TYPE: 'oidc',
    MCP_AUTH_VERIFIER: 'jwt',
  });
  return { as, whoami };
}

function codeFlowScenario(alg, transport) {
  const label = transport === 'http' ? 'Streamable HTTP' : 'legacy SSE';
  return {
    name: `1 oidc-provider ${alg} JWT: TS SDK client, ${label}, 401 → PRM → AS metadata → DCR → code+PKCE+resource → whoami sub alice`,
    timeoutMs: TIMEOUT_MS,
    async run(t) {
      const { as, whoami } = await jwtSetup(t, alg);
      const url = transport === 'http' ? whoami.mcpUrl : whoami.sseUrl;
      const prm = await assertChallengeCovers(t, url, transport === 'http' ? 'POST' : 'GET');
      if (transport === 'http') assert.equal(prm.resource, whoami.mcpUrl);
      const { client, requests, provider, authorizationUrl } = await connectWithOAuth(url, {
        transport,
        log: (line) => t.log(`browser: ${line}`),
      });
      t.defer(() => client.close());
      const { json } = await callJsonTool(client, 'whoami');
      logRequests(t, requests);
      t.log(`whoami: ${JSON.stringify(json)}`);

      // The discovery sequence the SDK went through, against whoami and oidc-provider.
      const first = transport === 'http' ? ['POST', whoami.mcpUrl, 401] : ['GET', whoami.sseUrl, 401];
      const resumed = transport === 'http' ? ['POST', whoami.mcpUrl, 200] : ['GET', whoami.sseUrl, 200];
      assertSequence(requests, [
        first,
        ['GET', prm.metadataUrl, 200],
        ['GET', `${as.issuer}/.well-known/oauth-authorization-server`, 200],
        ['POST', `${as.issuer}/reg`, 201],
        // finishAuth(code) discovers again before exchanging the code.
        ['GET', prm.metadataUrl, 200],
        ['GET', `${as.issuer}/.well-known/oauth-authorization-server`, 200],
        ['POST', `${as.issuer}/token`, 200],
        resumed,
      ]);

      // The authorization request: PKCE S256 and the resource indicator of whoami.
      assert.ok(authorizationUrl, 'the SDK asked for authorization');
      assert.equal(authorizationUrl.origin + authorizationUrl.pathname, as.metadata.authorization_endpoint);
      const query = authorizationUrl.searchParams;
      assert.equal(query.get('resource'), prm.resource);
      assert.equal(query.get('code_challenge_method'), 'S256');
      assert.match(query.get('code_challenge') ?? '', /^[\w-]{43}$/);
      assert.equal(query.get('response_type'), 'code');
      assert.deepEqual(new Set(query.get('scope').split(' ')), new Set(WHOAMI_SCOPES));

      // The token oidc-provider issued is an RFC 9068 JWT for whoami, signed with `alg`.
      const token = provider.tokens().access_token;
      assert.ok(isJwt(token), 'a JWT access token');
      const { header, payload } = decodeJwt(token);
      assert.equal(header.alg, alg);
      assert.equal(header.typ, 'at+jwt');
      assert.equal(payload.aud, prm.resource);

      // whoami verified it and returns its claims.
      assert.equal(json.sub, 'alice');
      assert.equal(json.iss, as.issuer);
      assert.equal(json.aud, prm.resource);
      assert.equal(json.client_id, provider.clientInformation().client_id);
    },
  };
}

function clientCredentialsScenario(alg) {
  return {
    name: `1 oidc-provider ${alg} JWT: TS SDK ClientCredentialsProvider, Streamable HTTP → whoami sub = client id`,
    timeoutMs: TIMEOUT_MS,
    async run(t) {
      const { as, whoami } = await jwtSetup(t, alg);
      const provider = new ClientCredentialsProvider({
        clientId: as.clients.m2m.clientId,
        clientSecret: as.clients.m2m.clientSecret,
        expectedIssuer: as.issuer,
      });
      const { client, requests } = await connectWithOAuth(whoami.mcpUrl, { transport: 'http', provider });
      t.defer(() => client.close());
      const { json } = await callJsonTool(client, 'whoami');
      logRequests(t, requests);
      t.log(`whoami: ${JSON.stringify(json)}`);

      assertSequence(requests, [
        ['POST', whoami.mcpUrl, 401],
        ['GET', `${whoami.base}/.well-known/oauth-protected-resource/mcp`, 200],
        ['GET', `${as.issuer}/.well-known/oauth-authorization-server`, 200],
        ['POST', `${as.issuer}/token`, 200],
        ['POST', whoami.mcpUrl, 200],
      ]);
      const { header, payload } = decodeJwt(provider.tokens().access_token);
      assert.equal(header.alg, alg);
      assert.equal(payload.aud, whoami.mcpUrl, 'the SDK sent whoami as the resource');
      assert.equal(json.sub, 'm2m');
      assert.equal(json.client_id, 'm2m');
      assert.equal(json.aud, whoami.mcpUrl);
    },
  };
}

const scenario1 = [];
for (const alg of ['RS256', 'ES256']) {
  scenario1.push(codeFlowScenario(alg, 'http'), codeFlowScenario(alg, 'sse'), clientCredentialsScenario(alg));
}

const scenario2 = [
  {
    name: '2 oidc-provider opaque tokens: whoami in introspection mode, TS SDK client code+PKCE → sub alice',
    timeoutMs: TIMEOUT_MS,
    async run(t) {
      const as = await startOidcProvider(t, { tokenFormat: 'opaque' });
      const whoami = await startExample(t, 'whoami', {
        MCP_AUTH_ISSUER: as.issuer,
        MCP_AUTH_ISSUER_TYPE: 'oidc',
        MCP_AUTH_VERIFIER: 'introspection',
        MCP_AUTH_CLIENT_ID: as.clients.resourceServer.clientId,
        MCP_AUTH_CLIENT_SECRET: as.clients.resourceServer.clientSecret,
      });
      const { client, requests, provider, authorizationUrl } = await connectWithOAuth(whoami.mcpUrl, {
        transport: 'http',
        log: (line) => t.log(`browser: ${line}`),
      });
      t.defer(() => client.close());
      const { json } = await callJsonTool(client, 'whoami');
      logRequests(t, requests);
      t.log(`whoami: ${JSON.stringify(json)}`);

      assert.equal(authorizationUrl.searchParams.get('resource'), whoami.mcpUrl);
      const token = provider.tokens().access_token;
      assert.ok(!isJwt(token), `an opaque access token (got ${token.slice(0, 20)}…)`);
      // whoami asked oidc-provider's introspection endpoint, authenticated as its client.
      await as.child.waitForOutput(/POST \/token\/introspection -> 200/);
      assert.equal(json.active, true);
      assert.equal(json.sub, 'alice');
      assert.equal(json.client_id, provider.clientInformation().client_id);
      assert.equal(json.aud, whoami.mcpUrl);
      assert.equal(json.iss, as.issuer);
    },
  },
  {
    name: '2 oidc-provider + whoami in userinfo mode (seed tutorial): opaque token without audience → userinfo claims, sub alice',
    timeoutMs: TIMEOUT_MS,
    async run(t) {
      const as = await startOidcProvider(t, { tokenFormat: 'jwt' });
      const whoami = await startExample(t, 'whoami', {
        MCP_AUTH_ISSUER: as.issuer,
        MCP_AUTH_ISSUER_TYPE: 'oidc',
        MCP_AUTH_VERIFIER: 'userinfo',
      });
      // Without `resource` the token is for oidc-provider's own userinfo endpoint: opaque, no aud.
      const { tokens } = await codeFlowToken(as.issuer, {
        scope: WHOAMI_SCOPES.join(' '),
        user: 'alice',
        log: (line) => t.log(`browser: ${line}`),
      });
      const token = tokens.access_token;
      assert.ok(!isJwt(token), 'an opaque access token');
      const expected = await userinfo(as.issuer, token);
      assert.equal(expected.status, 200, `oidc-provider userinfo: ${JSON.stringify(expected.body)}`);

      const { client, requests } = await connectWithToken(whoami.mcpUrl, token);
      t.defer(() => client.close());
      const { json } = await callJsonTool(client, 'whoami');
      logRequests(t, requests);
      t.log(`whoami: ${JSON.stringify(json)}`);

      await as.child.waitForOutput(/GET \/me -> 200/);
      assert.deepEqual(json, expected.body);
      assert.equal(json.sub, 'alice');
      assert.equal(json.email, 'alice@example.test');
      assert.equal(json.name, 'Alice Example');
    },
  },
];

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'mcp-auth-interop', version: '1.0.0' },
  },
};

async function postInitialize(url, token) {
  return fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify(INITIALIZE),
    signal: AbortSignal.timeout(10_000),
  });
}

const scenario8 = [
  {
    name: '8 token audience: an oidc-provider JWT for another resource → whoami (jwt) 401 invalid_token',
    timeoutMs: TIMEOUT_MS,
    async run(t) {
      const { as, whoami } = await jwtSetup(t, 'RS256');
      const other = `http://127.0.0.1:${await freePort()}/mcp`;
      const foreign = await codeFlowToken(as.issuer, { scope: WHOAMI_SCOPES.join(' '), resource: other });
      const own = await codeFlowToken(as.issuer, { scope: WHOAMI_SCOPES.join(' '), resource: whoami.mcpUrl });
      assert.equal(decodeJwt(foreign.tokens.access_token).payload.aud, other);
      assert.equal(decodeJwt(own.tokens.access_token).payload.aud, whoami.mcpUrl);

      // Control: the same user, client, issuer and key, for whoami's own resource, is accepted.
      const accepted = await postInitialize(whoami.mcpUrl, own.tokens.access_token);
      t.log(`own-resource token -> ${accepted.status}`);
      assert.equal(accepted.status, 200);
      await accepted.body?.cancel();

      const refused = await postInitialize(whoami.mcpUrl, foreign.tokens.access_token);
      const challenge = refused.headers.get('www-authenticate') ?? '';
      const body = await refused.text();
      t.log(`other-resource token -> ${refused.status} WWW-Authenticate: ${challenge} body: ${body}`);
      assert.equal(refused.status, 401);
      assert.match(challenge, /^Bearer\s/);
      assert.match(challenge, /error="invalid_token"/);
      assert.match(
        challenge,
        new RegExp(`resource_metadata="${whoami.base.replaceAll('.', '\\.')}/\\.well-known/oauth-protected-resource/mcp"`),
      );
    },
  },
];

export default [...scenario1, ...scenario2, ...scenario8];
