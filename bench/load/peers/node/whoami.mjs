#!/usr/bin/env node
// Load-test peer: the "WhoAmI" MCP server of the MCP Auth tutorial, protected by npm `mcp-auth`
// 0.2.x in resource-server mode (RFC 9728 metadata + the built-in `jwt` verifier: JWKS from the
// issuer's discovery document, `aud` = the resource), on @modelcontextprotocol/sdk 1.32.2.
//
// Transport: stateless Streamable HTTP (no session id generator) with plain JSON responses
// (enableJsonResponse), so a bare `tools/call` works without `initialize`. The SDK refuses to
// reuse a stateless transport ("Create a new transport per request") and a server can only be
// connected to one transport, so — as in the SDK's simpleStatelessStreamableHttp example — every
// POST gets its own McpServer + transport. Authentication (the part under comparison) is done
// once per request by `mcpAuth.bearerAuth('jwt', ...)` before any body parsing.
//
// Environment:
//   PEER_PORT    listen port on 127.0.0.1 (required)
//   PEER_ISSUER  issuer URL of the authorization server (required; OIDC discovery is fetched once
//                at start)
// The resource is http://127.0.0.1:PEER_PORT/mcp; its metadata is served at
// /.well-known/oauth-protected-resource/mcp.
//
// Prints exactly one line `peer listening http://127.0.0.1:PORT/mcp` when ready; exits 0 on
// SIGTERM/SIGINT.

import http from 'node:http';

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express from 'express';
import { fetchServerConfig, MCPAuth } from 'mcp-auth';

const port = Number(process.env.PEER_PORT);
const issuer = process.env.PEER_ISSUER;
if (!Number.isInteger(port) || port <= 0 || !issuer) {
  console.error('whoami (mcp-auth js): PEER_PORT and PEER_ISSUER are required');
  process.exit(2);
}
const resource = `http://127.0.0.1:${port}/mcp`;

let authServerConfig;
try {
  authServerConfig = await fetchServerConfig(issuer, { type: 'oidc' });
} catch (error) {
  console.error(`whoami (mcp-auth js): cannot fetch the metadata of ${issuer}: ${error.message}`);
  process.exit(1);
}

const mcpAuth = new MCPAuth({
  protectedResources: [
    {
      metadata: {
        resource,
        authorizationServers: [authServerConfig],
        scopesSupported: ['openid', 'profile', 'email'],
      },
    },
  ],
});

/** A fresh WhoAmI server (one per request in stateless mode). */
function createServer() {
  const server = new McpServer({ name: 'WhoAmI', version: '0.0.0' });
  server.registerTool(
    'whoami',
    { description: "Returns the caller's verified access-token claims." },
    async ({ authInfo }) => ({
      content: [{ type: 'text', text: JSON.stringify(authInfo?.claims ?? { error: 'Not authenticated' }) }],
    }),
  );
  return server;
}

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(mcpAuth.protectedResourceMetadataRouter());

const bearer = mcpAuth.bearerAuth('jwt', { resource, audience: resource });

app.post('/mcp', bearer, express.json(), async (req, res) => {
  const server = createServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    transport.close();
    server.close();
  });
  try {
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  } catch (error) {
    console.error('whoami (mcp-auth js): error handling the request:', error);
    if (!res.headersSent) {
      res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null });
    }
  }
});

// Stateless: no standalone SSE stream and no session to delete.
app.all('/mcp', bearer, (_req, res) => {
  res
    .status(405)
    .set('Allow', 'POST')
    .json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null });
});

const httpServer = http.createServer(app);
httpServer.listen(port, '127.0.0.1', () => {
  console.log(`peer listening ${resource}`);
});
httpServer.on('error', (error) => {
  console.error(`whoami (mcp-auth js): ${error.message}`);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    httpServer.close();
    httpServer.closeAllConnections();
    process.exit(0);
  });
}
