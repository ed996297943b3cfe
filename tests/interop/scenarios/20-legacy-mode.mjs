// The legacy MCP 2025-03-26 authorization mode (MCP_AUTH_MODE=authorization-server) with
// oidc-provider: no protected-resource metadata, so the TypeScript SDK client falls back to the
// MCP server's origin for `/.well-known/oauth-authorization-server`, which whoami re-publishes
// from oidc-provider, then registers and signs in there. The client sends no `resource`, so
// oidc-provider is told which audience to put in the token.
import assert from 'node:assert/strict';

import { startExample } from '../lib/examples.mjs';
import { MemoryOAuthProvider, callJsonTool, connectWithOAuth } from '../lib/mcp-client.mjs';
import { decodeJwt, startOidcProvider } from '../lib/oidc.mjs';
import { freePort } from '../lib/proc.mjs';

export default [
  {
    name: '1 legacy authorization-server mode with oidc-provider: TS SDK client falls back to the mirrored AS metadata → DCR → code+PKCE → whoami sub alice',
    timeoutMs: 30_000,
    async run(t) {
      const port = await freePort();
      const mcpUrl = `http://127.0.0.1:${port}/mcp`;
      // The client sends no `resource` (no metadata told it one): oidc-provider grants the default
      // resource at authorization and issues the token for it at the token endpoint.
      const as = await startOidcProvider(t, { tokenFormat: 'jwt', defaultResource: mcpUrl, useGrantedResource: true });
      const whoami = await startExample(t, 'whoami', {
        MCP_BIND: `127.0.0.1:${port}`,
        MCP_AUTH_ISSUER: as.issuer,
        MCP_AUTH_MODE: 'authorization-server',
        MCP_AUTH_VERIFIER: 'jwt',
      });
      assert.equal(whoami.mcpUrl, mcpUrl);

      // No protected-resource metadata in this mode; the 401 carries no resource_metadata.
      const prm = await fetch(`${whoami.base}/.well-known/oauth-protected-resource/mcp`);
      await prm.body?.cancel();
      assert.equal(prm.status, 404);
      const challenge = await fetch(mcpUrl, { method: 'POST' });
      await challenge.body?.cancel();
      assert.equal(challenge.status, 401);
      assert.doesNotMatch(challenge.headers.get('www-authenticate') ?? '', /resource_metadata/);
      // The mirrored metadata is oidc-provider's own.
      const mirrored = await (await fetch(`${whoami.base}/.well-known/oauth-authorization-server`)).json();
      assert.equal(mirrored.issuer, as.issuer);
      assert.equal(mirrored.registration_endpoint, as.metadata.registration_endpoint);

      // Without PRM the SDK learns no scopes: the client asks for the OpenID ones itself.
      const provider = new MemoryOAuthProvider({ scope: 'openid profile email' });
      const { client, requests, authorizationUrl } = await connectWithOAuth(mcpUrl, {
        provider,
        log: (l) => t.log(`browser: ${l}`),
      });
      t.defer(() => client.close());
      for (const r of requests) t.log(`${r.method} ${r.url} -> ${r.status}`);
      assert.ok(
        requests.some((r) => r.url === `${whoami.base}/.well-known/oauth-authorization-server` && r.status === 200),
        'the SDK used the mirrored metadata on the MCP server origin',
      );
      assert.ok(requests.some((r) => r.url === as.metadata.registration_endpoint && r.status === 201), 'DCR at oidc-provider');
      assert.equal(authorizationUrl.origin, as.issuer);
      assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(authorizationUrl.searchParams.get('resource'), null, 'no metadata named a resource');
      const claims = decodeJwt(provider.tokens().access_token).payload;
      assert.equal(claims.aud, mcpUrl);
      const { json } = await callJsonTool(client, 'whoami');
      assert.equal(json.sub, 'alice');
      assert.equal(json.iss, as.issuer);
    },
  },
];
