// oidc-provider (peers/oidc-provider.mjs) as the authorization server of a scenario, plus token
// helpers that talk to it directly: client_credentials, authorization code + PKCE (driven by
// lib/browser.mjs), introspection, userinfo, and JWT decoding.

import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { authorize } from './browser.mjs';
import { freePort, start, waitForHttp } from './proc.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The launcher script. */
export const OIDC_PROVIDER_SCRIPT = path.join(HERE, '..', 'peers', 'oidc-provider.mjs');

/** Where the static clients say they receive authorization responses; never listened on. */
export const OIDC_REDIRECT_URI = 'http://127.0.0.1:9999/callback';

/** The launcher's static clients. */
export const OIDC_CLIENTS = {
  public: { clientId: 'mcp-public' },
  confidential: { clientId: 'mcp-confidential', clientSecret: 'mcp-confidential-secret' },
  m2m: { clientId: 'm2m', clientSecret: 'm2m-secret' },
  resourceServer: { clientId: 'resource-server', clientSecret: 'resource-server-secret' },
};

/**
 * Starts oidc-provider on a free loopback port and waits for its discovery document.
 * Options: `tokenFormat` (`jwt`|`opaque`), `alg` (`RS256`|`ES256`), `resources` (allowed
 * resource indicators; empty: any http(s) URL), `resourceScopes` (array), `defaultResource`,
 * `useGrantedResource`, `defaultUser`, `accessTokenTtl`, `name` (the child's name in logs).
 * Resolves to `{ issuer, port, child, metadata, clients }`; the child is tracked by `t`.
 */
export async function startOidcProvider(t, options = {}) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const args = [OIDC_PROVIDER_SCRIPT, `--port=${port}`, `--issuer=${issuer}`];
  if (options.tokenFormat) args.push(`--token-format=${options.tokenFormat}`);
  if (options.alg) args.push(`--alg=${options.alg}`);
  if (options.resources?.length) args.push(`--resources=${options.resources.join(',')}`);
  if (options.resourceScopes) args.push(`--resource-scopes=${options.resourceScopes.join(' ')}`);
  if (options.defaultResource) args.push(`--default-resource=${options.defaultResource}`);
  if (options.useGrantedResource) args.push('--use-granted-resource=1');
  if (options.defaultUser) args.push(`--default-user=${options.defaultUser}`);
  if (options.accessTokenTtl) args.push(`--access-token-ttl=${options.accessTokenTtl}`);
  const child = t.track(start(options.name ?? 'oidc-provider', process.execPath, args));
  const response = await waitForHttp(`${issuer}/.well-known/openid-configuration`, {
    child,
    timeoutMs: 20_000,
    accept: (r) => r.status === 200,
  });
  const metadata = await response.json();
  return { issuer, port, child, metadata, clients: OIDC_CLIENTS };
}

async function discover(issuer) {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
  if (response.status !== 200) throw new Error(`discovery at ${issuer} answered ${response.status}`);
  return response.json();
}

function basic(clientId, clientSecret) {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
}

async function tokenRequest(metadata, params, { clientId, clientSecret }) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(params);
  if (clientSecret) headers.authorization = basic(clientId, clientSecret);
  else body.set('client_id', clientId);
  const response = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const json = await response.json().catch(() => ({}));
  if (response.status !== 200) {
    throw new Error(`token request (${params.grant_type}) answered ${response.status}: ${JSON.stringify(json)}`);
  }
  return json;
}

/**
 * A client_credentials token (the static `m2m` client by default) for `resource` (omitted when
 * undefined) with `scope`. Resolves to the token response.
 */
export async function clientCredentialsToken(issuer, { clientId = 'm2m', clientSecret = 'm2m-secret', resource, scope = 'openid profile email' } = {}) {
  const metadata = await discover(issuer);
  const params = { grant_type: 'client_credentials', scope };
  if (resource) params.resource = resource;
  return tokenRequest(metadata, params, { clientId, clientSecret });
}

/**
 * An authorization code + PKCE (S256) flow as `user` (sent as `login_hint`) with the static
 * public client by default; `resource` is sent at the authorization and token endpoints when
 * given. Resolves to `{ tokens, authorizationUrl, redirect }`.
 */
export async function codeFlowToken(
  issuer,
  { clientId = 'mcp-public', clientSecret, scope = 'openid profile email', resource, user = 'alice', log } = {},
) {
  const metadata = await discover(issuer);
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(12).toString('base64url');
  const authorizationUrl = new URL(metadata.authorization_endpoint);
  const query = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: OIDC_REDIRECT_URI,
    scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    login_hint: user,
  };
  for (const [key, value] of Object.entries(query)) authorizationUrl.searchParams.set(key, value);
  if (resource) authorizationUrl.searchParams.set('resource', resource);
  const redirect = await authorize(authorizationUrl, { redirectPrefix: OIDC_REDIRECT_URI, user, log });
  const error = redirect.searchParams.get('error');
  if (error) throw new Error(`authorization failed: ${error} ${redirect.searchParams.get('error_description') ?? ''}`);
  if (redirect.searchParams.get('state') !== state) throw new Error(`state mismatch in ${redirect}`);
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`no code in ${redirect}`);
  const params = { grant_type: 'authorization_code', code, redirect_uri: OIDC_REDIRECT_URI, code_verifier: verifier };
  if (resource) params.resource = resource;
  const tokens = await tokenRequest(metadata, params, { clientId, clientSecret });
  return { tokens, authorizationUrl, redirect };
}

/** RFC 7662 introspection of `token`, authenticated as the static `resource-server` client. */
export async function introspect(issuer, token, { clientId = 'resource-server', clientSecret = 'resource-server-secret' } = {}) {
  const metadata = await discover(issuer);
  const response = await fetch(metadata.introspection_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, clientSecret) },
    body: new URLSearchParams({ token }),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200) throw new Error(`introspection answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/** The userinfo response for `token` (`{ status, body }`, body parsed when JSON). */
export async function userinfo(issuer, token) {
  const metadata = await discover(issuer);
  const response = await fetch(metadata.userinfo_endpoint, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body, wwwAuthenticate: response.headers.get('www-authenticate') };
}

/** `true` when `token` looks like a JWS compact serialization. */
export function isJwt(token) {
  return typeof token === 'string' && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

/** The header and payload of a JWT, unverified (for assertions only). */
export function decodeJwt(token) {
  const [header, payload] = token.split('.');
  const part = (p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  return { header: part(header), payload: part(payload) };
}
