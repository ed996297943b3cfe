// Issue 5, scenario 6: step-up authorization (MCP "Scope Challenge Handling") between the TS SDK
// client and todo-manager. A client whose token carries only read:todos calls create-todo; the
// scope policy layer answers HTTP 403 with `error="insufficient_scope", scope="create:todos"`;
// the client gets a token with that scope and the same call succeeds.
//
// How the first, read-only token is obtained: SDK 1.32.2 picks the scope to request from the
// challenge, else from the metadata's scopes_supported, and only then from clientMetadata.scope
// (SEP-835), so connecting as usual would ask for every todo scope at once. The client therefore
// registers the usual way (dynamic registration with the metadata's scopes, as on a 401), then
// asks for read:todos alone through the SDK's own `auth(provider, { scope })`.
//
// Two clients: one registered without the refresh_token grant, where the SDK's transport steps
// up by itself (403 → authorization request → UnauthorizedError), and one holding a refresh
// token, where SDK 1.32.2 refreshes instead (a refresh cannot widen the scope, RFC 6749 §6), gets
// the same 403 and gives up, so the client re-authorizes explicitly.
import assert from 'node:assert/strict';

import { auth, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { authorize } from '../lib/browser.mjs';
import { startExample } from '../lib/examples.mjs';
import { MemoryOAuthProvider, REDIRECT_URL } from '../lib/mcp-client.mjs';

const PROTOCOL_VERSION = '2025-11-25';

/** A fetch that records method, URL (no query), status and any WWW-Authenticate header. */
function challengeRecorder(requests) {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const response = await fetch(input, init);
    const body = typeof init?.body === 'string' || init?.body instanceof URLSearchParams ? String(init.body) : undefined;
    requests.push({
      method: init?.method ?? 'GET',
      url: url.split('?')[0],
      status: response.status,
      challenge: response.headers.get('www-authenticate') ?? undefined,
      grant: body && /grant_type=([a-z_]+)/.exec(body)?.[1],
      rpc: body && /"method":"([^"]+)"/.exec(body)?.[1],
    });
    return response;
  };
}

/** The auth-params of a Bearer challenge (quoted-string values), by name. */
function challengeParams(header) {
  assert.ok(header, 'a WWW-Authenticate header');
  assert.match(header, /^Bearer\s/i);
  const params = {};
  for (const [, name, value] of header.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/gi)) {
    params[name.toLowerCase()] = value.replace(/\\(.)/g, '$1');
  }
  return params;
}

function jwtClaims(token) {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

function scopesOf(value) {
  return (value ?? '').split(' ').filter(Boolean).sort();
}

/** Drives an authorization URL the SDK produced as alice; returns the code. */
async function approve(url, t) {
  const redirect = await authorize(url, { redirectPrefix: REDIRECT_URL, user: 'alice', log: (l) => t.log(`  ${l}`) });
  assert.equal(redirect.searchParams.get('error'), null, `authorization failed: ${redirect}`);
  const code = redirect.searchParams.get('code');
  assert.ok(code, `no code in ${redirect}`);
  return code;
}

/**
 * The common start: todo-manager, a client registered with the metadata's scopes, a token for
 * read:todos only, an MCP session with it, and the raw 403 for create-todo on that session.
 */
async function readOnlyClient(t, { refreshTokens }) {
  const server = await startExample(t, 'todo-manager');
  const requests = [];
  const fetchFn = challengeRecorder(requests);
  const provider = new MemoryOAuthProvider({ clientName: 'step-up interop', scope: 'read:todos' });
  if (!refreshTokens) provider.metadata.grant_types = ['authorization_code'];

  // Registration as on a 401 without a scope: the SDK registers with scopes_supported.
  assert.equal(await auth(provider, { serverUrl: server.mcpUrl, fetchFn }), 'REDIRECT');
  assert.deepEqual(scopesOf(provider.client?.scope), ['create:todos', 'delete:todos', 'read:todos']);
  // The first sign-in asks for read:todos alone.
  provider.authorizationUrl = undefined;
  assert.equal(await auth(provider, { serverUrl: server.mcpUrl, scope: 'read:todos', fetchFn }), 'REDIRECT');
  const first = provider.authorizationUrl;
  assert.equal(first.searchParams.get('scope'), 'read:todos');
  const code = await approve(first, t);
  assert.equal(
    await auth(provider, { serverUrl: server.mcpUrl, scope: 'read:todos', authorizationCode: code, fetchFn }),
    'AUTHORIZED',
  );
  const readOnly = provider.tokens();
  assert.equal(readOnly.scope, 'read:todos');
  assert.equal(Boolean(readOnly.refresh_token), refreshTokens, 'refresh token issued iff the grant is registered');
  const claims = jwtClaims(readOnly.access_token);
  assert.equal(claims.scope, 'read:todos');
  assert.equal(claims.aud, server.mcpUrl);
  assert.equal(claims.sub, 'u-alice');

  const transport = new StreamableHTTPClientTransport(new URL(server.mcpUrl), { authProvider: provider, fetch: fetchFn });
  const client = new Client({ name: 'mcp-auth-interop', version: '1.0.0' });
  await client.connect(transport);
  t.defer(() => client.close());
  assert.ok(transport.sessionId, 'a Streamable HTTP session');

  // The raw exchange: the same session and token, create-todo → 403 with the scope to ask for.
  const raw = await fetch(server.mcpUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${readOnly.access_token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': transport.sessionId,
      'mcp-protocol-version': PROTOCOL_VERSION,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 900,
      method: 'tools/call',
      params: { name: 'create-todo', arguments: { content: 'raw' } },
    }),
  });
  assert.equal(raw.status, 403);
  const challenge = raw.headers.get('www-authenticate');
  t.log(`raw 403 WWW-Authenticate: ${challenge}`);
  const params = challengeParams(challenge);
  assert.equal(params.error, 'insufficient_scope');
  assert.equal(params.scope, 'create:todos');
  assert.equal(params.resource_metadata, `${server.base}/.well-known/oauth-protected-resource/mcp`);
  assert.equal((await raw.json()).error, 'insufficient_scope');

  // Still allowed without create:todos.
  const listed = await client.callTool({ name: 'get-todos', arguments: {} });
  assert.notEqual(listed.isError, true, JSON.stringify(listed));

  provider.authorizationUrl = undefined;
  return { server, requests, fetchFn, provider, transport, client, challenge };
}

function assertCreated(result, content) {
  assert.notEqual(result.isError, true, JSON.stringify(result));
  const todo = JSON.parse(result.content.find((c) => c.type === 'text').text);
  assert.equal(todo.content, content);
  assert.equal(todo.ownerId, 'u-alice');
  return todo;
}

function logRequests(t, requests) {
  for (const r of requests) {
    const extra = [r.rpc, r.grant && `grant_type=${r.grant}`, r.challenge && `WWW-Authenticate: ${r.challenge}`]
      .filter(Boolean)
      .join(' ');
    t.log(`${r.method} ${r.url} -> ${r.status}${extra ? `  ${extra}` : ''}`);
  }
}

export default [
  {
    name: '6 todo-manager step-up: TS SDK client with only read:todos gets 403 insufficient_scope for create-todo, the SDK re-authorizes with create:todos, the retry succeeds',
    async run(t) {
      const { server, requests, provider, transport, client, challenge } = await readOnlyClient(t, {
        refreshTokens: false,
      });
      const clientId = provider.client.client_id;
      const mark = requests.length;

      // The SDK's transport handles the 403 itself: it starts an authorization request for the
      // challenged scope and, since that needs the user, throws UnauthorizedError.
      await assert.rejects(
        client.callTool({ name: 'create-todo', arguments: { content: 'buy milk' } }),
        (error) => error instanceof UnauthorizedError,
      );
      const refused = requests.slice(mark).find((r) => r.method === 'POST' && r.url === server.mcpUrl);
      assert.equal(refused.status, 403);
      assert.equal(refused.challenge, challenge, 'the SDK saw the same challenge');

      const second = provider.authorizationUrl;
      assert.ok(second, 'the SDK asked for a second authorization');
      t.log(`second authorization: ${second}`);
      assert.ok(scopesOf(second.searchParams.get('scope')).includes('create:todos'));
      assert.equal(second.searchParams.get('resource'), server.mcpUrl);
      assert.equal(second.searchParams.get('client_id'), clientId, 'no new registration');
      assert.equal(second.searchParams.get('code_challenge_method'), 'S256');

      // The user approves; finishAuth on the transport that saw the 403 exchanges the code.
      await transport.finishAuth(await approve(second, t));
      const stepped = provider.tokens();
      t.log(`token after step-up: scope "${stepped.scope}"`);
      assert.ok(scopesOf(stepped.scope).includes('create:todos'));
      assert.deepEqual(scopesOf(jwtClaims(stepped.access_token).scope), scopesOf(second.searchParams.get('scope')));
      assert.equal(jwtClaims(stepped.access_token).aud, server.mcpUrl);

      // The same client, the same session: the retry now succeeds.
      const result = await client.callTool({ name: 'create-todo', arguments: { content: 'buy milk' } });
      assertCreated(result, 'buy milk');

      const after = requests.slice(mark).map((r) => `${r.method} ${r.url.replace(server.base, '<mcp>').replace(server.issuer, '<as>')} ${r.status}${r.grant ? ` ${r.grant}` : ''}`);
      logRequests(t, requests);
      assert.deepEqual(after, [
        'POST <mcp>/mcp 403',
        'GET <mcp>/.well-known/oauth-protected-resource/mcp 200',
        'GET <as>/.well-known/oauth-authorization-server 200',
        'GET <mcp>/.well-known/oauth-protected-resource/mcp 200',
        'GET <as>/.well-known/oauth-authorization-server 200',
        'POST <as>/token 200 authorization_code',
        'POST <mcp>/mcp 200',
      ]);
    },
  },
  {
    name: '6 todo-manager step-up with a refresh token: SDK 1.32.2 refreshes (same scope, 403 again) and stops; explicit re-authorization with read:todos + create:todos, the retry succeeds',
    async run(t) {
      const { server, requests, fetchFn, provider, client, challenge } = await readOnlyClient(t, {
        refreshTokens: true,
      });
      const mark = requests.length;

      let sdkSteppedUp = false;
      try {
        await client.callTool({ name: 'create-todo', arguments: { content: 'buy bread' } });
        assert.fail('create-todo succeeded with a read:todos token');
      } catch (error) {
        if (error instanceof UnauthorizedError) {
          sdkSteppedUp = true; // a later SDK re-authorizes even with a refresh token
        } else {
          assert.equal(error.code, 403, `unexpected error: ${error}`);
        }
      }
      const calls = requests.slice(mark).filter((r) => r.method === 'POST' && r.url === server.mcpUrl);
      assert.ok(calls.length >= 1);
      for (const call of calls) {
        assert.equal(call.status, 403);
        assert.equal(call.challenge, challenge, 'every refusal names create:todos');
      }
      if (!sdkSteppedUp) {
        // SDK 1.32.2: the refresh grant brought the same scope (the AS never widens it).
        const refresh = requests.slice(mark).find((r) => r.grant === 'refresh_token');
        assert.equal(refresh?.status, 200, 'the SDK refreshed');
        assert.equal(provider.tokens().scope, 'read:todos');
        assert.equal(calls.length, 2);
        t.log('SDK 1.32.2 refreshed instead of re-authorizing and gave up after the second 403');
      }

      // Explicit step-up: drop the read-only token and ask for the union of the scopes held and
      // the challenged ones, so read:todos is kept.
      const wanted = [...new Set([...scopesOf('read:todos'), ...scopesOf(challengeParams(challenge).scope)])].join(' ');
      provider.saveTokens(undefined);
      provider.authorizationUrl = undefined;
      assert.equal(await auth(provider, { serverUrl: server.mcpUrl, scope: wanted, fetchFn }), 'REDIRECT');
      const second = provider.authorizationUrl;
      t.log(`explicit authorization: ${second}`);
      assert.deepEqual(scopesOf(second.searchParams.get('scope')), ['create:todos', 'read:todos']);
      const code = await approve(second, t);
      assert.equal(
        await auth(provider, { serverUrl: server.mcpUrl, scope: wanted, authorizationCode: code, fetchFn }),
        'AUTHORIZED',
      );
      assert.deepEqual(scopesOf(provider.tokens().scope), ['create:todos', 'read:todos']);
      assert.deepEqual(scopesOf(jwtClaims(provider.tokens().access_token).scope), ['create:todos', 'read:todos']);

      // The same client and session with the new token.
      const created = assertCreated(
        await client.callTool({ name: 'create-todo', arguments: { content: 'buy bread' } }),
        'buy bread',
      );
      const listed = await client.callTool({ name: 'get-todos', arguments: {} });
      const todos = JSON.parse(listed.content.find((c) => c.type === 'text').text);
      assert.ok(todos.some((todo) => todo.id === created.id));
      logRequests(t, requests);
    },
  },
];
