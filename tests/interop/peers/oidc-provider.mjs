#!/usr/bin/env node
// oidc-provider 9.13.3 as a real OAuth 2.1 / OpenID Connect authorization server for the
// interop scenarios, on 127.0.0.1. Logins and consents happen automatically (no UI): the user
// is the authorization request's `login_hint`, else the default user.
//
// Settings: `--name=value` arguments, else environment variables (OIDC_<NAME>, upper case,
// dashes as underscores):
//
//   --port               listen port (required)
//   --issuer             issuer URL (default http://127.0.0.1:<port>)
//   --token-format       jwt | opaque: format of access tokens issued for a resource (default jwt)
//   --alg                RS256 | ES256: signing alg of JWT access tokens (default RS256)
//   --resources          comma-separated allowed resource indicators (default: any http(s) URL)
//   --resource-scopes    space-separated scopes a resource accepts
//                        (default "openid profile email mcp:read mcp:write")
//   --default-resource   resource used when a client sends none
//   --use-granted-resource  1: a token request without `resource` gets the granted one
//   --default-user       account used without login_hint (default alice)
//   --access-token-ttl   seconds (default 600)
//
// Static clients (redirect URI http://127.0.0.1:9999/callback):
//   mcp-public        public (none): authorization_code + refresh_token
//   mcp-confidential  client_secret_basic/post, secret mcp-confidential-secret:
//                     authorization_code + refresh_token + client_credentials
//   m2m               secret m2m-secret: client_credentials only
//   resource-server   secret resource-server-secret: no grants (introspection only)
// Open dynamic client registration at /reg; PKCE S256 required for every code request;
// refresh tokens whenever the client may use the refresh_token grant. Keys are generated at
// start with a random kid, so a restarted provider never reuses a kid.
//
// Prints one line `oidc-provider listening <issuer>` when ready; stops on SIGTERM/SIGINT.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const REDIRECT_URI = 'http://127.0.0.1:9999/callback';

function setting(name, fallback) {
  const flag = `--${name}=`;
  const arg = process.argv.slice(2).find((a) => a.startsWith(flag));
  if (arg !== undefined) return arg.slice(flag.length);
  const env = process.env[`OIDC_${name.toUpperCase().replaceAll('-', '_')}`];
  return env === undefined || env === '' ? fallback : env;
}

function words(value, separator) {
  return value
    .split(separator)
    .map((w) => w.trim())
    .filter(Boolean);
}

const port = Number(setting('port'));
if (!Number.isInteger(port) || port <= 0) {
  console.error('oidc-provider: --port (or OIDC_PORT) is required');
  process.exit(2);
}
const issuer = setting('issuer', `http://127.0.0.1:${port}`);
const tokenFormat = setting('token-format', 'jwt');
const alg = setting('alg', 'RS256');
const allowedResources = words(setting('resources', ''), ',');
const resourceScopes = words(setting('resource-scopes', 'openid profile email mcp:read mcp:write'), ' ');
const defaultResourceSetting = setting('default-resource');
const useGranted = setting('use-granted-resource', '') === '1';
const defaultUser = setting('default-user', 'alice');
const accessTokenTtl = Number(setting('access-token-ttl', '600'));

if (!['jwt', 'opaque'].includes(tokenFormat)) {
  console.error(`oidc-provider: --token-format must be jwt or opaque (got ${tokenFormat})`);
  process.exit(2);
}
if (!['RS256', 'ES256'].includes(alg)) {
  console.error(`oidc-provider: --alg must be RS256 or ES256 (got ${alg})`);
  process.exit(2);
}

/** A private signing JWK with a kid that is new at every start. */
function signingKey(algorithm) {
  const { privateKey } =
    algorithm === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, alg: algorithm, use: 'sig', kid: `${algorithm.toLowerCase()}-${randomBytes(6).toString('hex')}` };
}

// An RS256 key always (ID tokens default to RS256), plus the access-token key when it differs.
const keys = [signingKey('RS256')];
if (alg !== 'RS256') keys.unshift(signingKey(alg));

const accounts = new Map();
function account(id) {
  if (!accounts.has(id)) {
    const name = id.charAt(0).toUpperCase() + id.slice(1);
    accounts.set(id, {
      accountId: id,
      async claims() {
        return {
          sub: id,
          name: `${name} Example`,
          preferred_username: id,
          email: `${id}@example.test`,
          email_verified: true,
        };
      },
    });
  }
  return accounts.get(id);
}

function resourceAllowed(indicator) {
  if (allowedResources.length > 0) return allowedResources.includes(indicator);
  try {
    const url = new URL(indicator);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.hash;
  } catch {
    return false;
  }
}

const allScopes = [...new Set(['openid', 'offline_access', 'profile', 'email', ...resourceScopes])];
const clientScope = allScopes.join(' ');

const configuration = {
  clients: [
    {
      client_id: 'mcp-public',
      token_endpoint_auth_method: 'none',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: clientScope,
    },
    {
      client_id: 'mcp-confidential',
      client_secret: 'mcp-confidential-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      scope: clientScope,
    },
    {
      client_id: 'm2m',
      client_secret: 'm2m-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [],
      grant_types: ['client_credentials'],
      response_types: [],
      scope: clientScope,
    },
    {
      client_id: 'resource-server',
      client_secret: 'resource-server-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [],
      grant_types: [],
      response_types: [],
    },
  ],
  jwks: { keys },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  scopes: allScopes,
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  pkce: { required: () => true },
  ttl: {
    AccessToken: accessTokenTtl,
    ClientCredentials: accessTokenTtl,
  },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? defaultResourceSetting,
      useGrantedResource: async () => useGranted,
      getResourceServerInfo: async (_ctx, indicator) => {
        if (!resourceAllowed(indicator)) throw new Provider.errors.InvalidTarget();
        return {
          scope: resourceScopes.join(' '),
          audience: indicator,
          accessTokenTTL: accessTokenTtl,
          accessTokenFormat: tokenFormat,
          ...(tokenFormat === 'jwt' ? { jwt: { sign: { alg } } } : {}),
        };
      },
    },
  },
  findAccount: async (_ctx, sub) => account(sub),
  extraTokenClaims: async (_ctx, token) =>
    token.accountId ? { email: `${token.accountId}@example.test` } : undefined,
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
  },
  renderError: async (ctx, out) => {
    ctx.type = 'json';
    ctx.body = out;
  },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (_ctx, error) => console.error('server_error', error));
provider.on('grant.error', (_ctx, error) => console.error('grant.error', error.message, error.error_description ?? ''));
provider.on('authorization.error', (_ctx, error) => console.error('authorization.error', error.message, error.error_description ?? ''));
provider.on('registration_create.error', (_ctx, error) => console.error('registration.error', error.message, error.error_description ?? ''));
provider.on('introspection.error', (_ctx, error) => console.error('introspection.error', error.message, error.error_description ?? ''));
provider.on('userinfo.error', (_ctx, error) => console.error('userinfo.error', error.message, error.error_description ?? ''));

/** Automatic login (login_hint or the default user) and consent to everything asked. */
async function interact(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    const accountId = typeof params.login_hint === 'string' && params.login_hint ? params.login_hint : defaultUser;
    console.log(`interaction ${details.uid}: login ${accountId}`);
    await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    return;
  }
  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    console.log(`interaction ${details.uid}: consent ${session.accountId} → ${params.client_id}`);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  throw new Error(`unsupported prompt ${prompt.name}`);
}

const handle = provider.callback();
const server = http.createServer((req, res) => {
  const started = Date.now();
  res.on('finish', () => {
    console.log(`${req.method} ${req.url.split('?')[0]} -> ${res.statusCode} (${Date.now() - started} ms)`);
  });
  if (req.method === 'GET' && /^\/interaction\/[^/]+$/.test(req.url.split('?')[0])) {
    interact(req, res).catch((error) => {
      console.error('interaction failed', error);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader('content-type', 'application/json');
      }
      res.end(JSON.stringify({ error: 'interaction_failed', error_description: error.message }));
    });
    return;
  }
  handle(req, res);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening ${issuer} (tokens ${tokenFormat}, ${alg}, kids ${keys.map((k) => k.kid).join(',')})`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  });
}
