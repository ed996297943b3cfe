// The MCP requests of the load runs: one `tools/call whoami` per HTTP request, in the two
// protocol revisions the servers speak, and the 2025-11-25 session handshake.

/** The revisions a workload can use. */
export const PROTOCOLS = {
  /** Stateless: every request carries its protocol version, no session, no handshake. */
  stateless: '2026-07-28',
  /** Sessions: `initialize` once, then `Mcp-Session-Id` on every request. */
  session: '2025-11-25',
};

const ACCEPT = 'application/json, text/event-stream';

/** The `tools/call whoami` body for `protocol` (`stateless` adds the per-request `_meta`). */
export function callBody(protocol) {
  const params = { name: 'whoami', arguments: {} };
  if (protocol === 'stateless') {
    params._meta = {
      'io.modelcontextprotocol/protocolVersion': PROTOCOLS.stateless,
      'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'load', version: '1' },
    };
  }
  return JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params });
}

/** The header fields of a `tools/call whoami` request (`token` and `sessionId` optional). */
export function callHeaders(protocol, { token, sessionId } = {}) {
  const headers = {
    'Content-Type': 'application/json',
    Accept: ACCEPT,
    'MCP-Protocol-Version': PROTOCOLS[protocol],
  };
  if (protocol === 'stateless') {
    headers['Mcp-Method'] = 'tools/call';
    headers['Mcp-Name'] = 'whoami';
  }
  if (token) headers.Authorization = `Bearer ${token}`;
  if (sessionId) headers['Mcp-Session-Id'] = sessionId;
  return headers;
}

/**
 * A 2025-11-25 session at `url`: `initialize`, then `notifications/initialized`. Resolves to
 * the session id.
 */
export async function openSession(url, token) {
  const headers = { ...callHeaders('session', { token }) };
  const init = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: PROTOCOLS.session, capabilities: {}, clientInfo: { name: 'load', version: '1' } },
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await init.text();
  const sessionId = init.headers.get('mcp-session-id');
  if (init.status !== 200 || !sessionId) {
    throw new Error(`initialize at ${url} answered ${init.status} without a session: ${text.slice(0, 300)}`);
  }
  const initialized = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'Mcp-Session-Id': sessionId },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    signal: AbortSignal.timeout(10_000),
  });
  await initialized.arrayBuffer();
  if (initialized.status !== 202) {
    throw new Error(`notifications/initialized at ${url} answered ${initialized.status}`);
  }
  return sessionId;
}
