// The MCP TypeScript SDK client, driven headlessly: it does the whole MCP authorization
// discovery itself (401 → protected-resource metadata → AS metadata → registration →
// authorization with PKCE and `resource` → token); this module only plays the user's browser.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { authorize } from './browser.mjs';

/** Where the in-memory client says it receives the authorization response; never listened on. */
export const REDIRECT_URL = 'http://127.0.0.1:9999/callback';

/** An OAuth client provider that keeps everything in memory (one per simulated user/app). */
export class MemoryOAuthProvider {
  constructor({ clientName = 'mcp-auth interop', scope, clientInformation } = {}) {
    this.metadata = {
      client_name: clientName,
      redirect_uris: [REDIRECT_URL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...(scope ? { scope } : {}),
    };
    this.client = clientInformation;
    this.savedTokens = undefined;
    this.verifier = undefined;
    this.authorizationUrl = undefined;
  }

  get redirectUrl() {
    return REDIRECT_URL;
  }

  get clientMetadata() {
    return this.metadata;
  }

  clientInformation() {
    return this.client;
  }

  saveClientInformation(info) {
    this.client = info;
  }

  tokens() {
    return this.savedTokens;
  }

  saveTokens(tokens) {
    this.savedTokens = tokens;
  }

  redirectToAuthorization(url) {
    this.authorizationUrl = new URL(url);
  }

  saveCodeVerifier(verifier) {
    this.verifier = verifier;
  }

  codeVerifier() {
    if (!this.verifier) throw new Error('no code verifier saved');
    return this.verifier;
  }
}

/**
 * A `fetch` that records `METHOD url -> status` for every request the SDK makes (query strings
 * dropped), so a scenario can assert the discovery sequence.
 */
export function recordingFetch(requests) {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET');
    const response = await fetch(input, init);
    requests.push({ method, url: url.split('?')[0], status: response.status });
    return response;
  };
}

function transportFor(kind, url, options) {
  if (kind === 'sse') return new SSEClientTransport(new URL(url), options);
  if (kind === 'http') return new StreamableHTTPClientTransport(new URL(url), options);
  throw new Error(`unknown transport ${kind}`);
}

/**
 * Connects the SDK client to `serverUrl` over `transport` (`http` or `sse`), letting the SDK run
 * the whole OAuth flow with `provider`; the authorization pages are driven as `user`. Resolves
 * to `{ client, transport, provider, requests, authorizationUrl }`; call `client.close()`.
 */
export async function connectWithOAuth(serverUrl, { transport = 'http', provider = new MemoryOAuthProvider(), user = 'alice', log } = {}) {
  const requests = [];
  const options = { authProvider: provider, fetch: recordingFetch(requests) };
  let first = transportFor(transport, serverUrl, options);
  let client = new Client({ name: 'mcp-auth-interop', version: '1.0.0' });
  let authorizationUrl;
  try {
    await client.connect(first);
    return { client, transport: first, provider, requests, authorizationUrl };
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
  }
  if (!provider.authorizationUrl) throw new Error('the SDK asked for authorization but gave no URL');
  authorizationUrl = provider.authorizationUrl;
  const redirect = await authorize(authorizationUrl, { redirectPrefix: REDIRECT_URL, user, log });
  const error = redirect.searchParams.get('error');
  if (error) throw new Error(`authorization failed: ${error} ${redirect.searchParams.get('error_description') ?? ''}`);
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`no code in ${redirect}`);
  // finishAuth on the transport that saw the 401: it remembers the resource_metadata URL.
  await first.finishAuth(code);
  await client.close().catch(() => {});
  const second = transportFor(transport, serverUrl, options);
  client = new Client({ name: 'mcp-auth-interop', version: '1.0.0' });
  await client.connect(second);
  return { client, transport: second, provider, requests, authorizationUrl };
}

/** Connects with a fixed bearer token (no OAuth provider). */
export async function connectWithToken(serverUrl, token, { transport = 'http' } = {}) {
  const requests = [];
  const headers = { authorization: `Bearer ${token}` };
  const options = {
    requestInit: { headers },
    eventSourceInit: { fetch: (url, init) => fetch(url, { ...init, headers: { ...init?.headers, ...headers } }) },
    fetch: recordingFetch(requests),
  };
  const client = new Client({ name: 'mcp-auth-interop', version: '1.0.0' });
  const t = transportFor(transport, serverUrl, options);
  await client.connect(t);
  return { client, transport: t, requests };
}

/** Calls `name` and parses the first text content as JSON (as whoami answers). */
export async function callJsonTool(client, name, args = {}) {
  const result = await client.callTool({ name, arguments: args });
  const text = result.content?.find((c) => c.type === 'text')?.text;
  if (text === undefined) throw new Error(`${name} returned no text content: ${JSON.stringify(result)}`);
  try {
    return { result, json: JSON.parse(text) };
  } catch {
    return { result, json: undefined, text };
  }
}
