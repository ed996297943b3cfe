// MCP Inspector (npm @modelcontextprotocol/inspector) as a peer: its CLI run to completion with a
// deadline, and its web UI started as a tracked server. Each use gets its own HOME (the
// Inspector keeps its OAuth state, shared by CLI and web UI, in $HOME/.mcp-inspector) and the
// in-memory secret store (no OS keychain here).
//
// Ports: the Inspector's defaults are fixed (6274 web UI, 6275 MCP-Apps sandbox, 6276 CLI OAuth
// callback, 6278 app origin), but each can be moved — CLIENT_PORT, MCP_SANDBOX_PORT,
// MCP_APP_ORIGIN_PORT, --callback-url — so these helpers use free ports only. The development
// authorization server accepts loopback redirect URIs on any port (RFC 8252 §7.3).

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort, run, start, waitForHttp } from './proc.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The Inspector's launcher (the `mcp-inspector` bin); always run with node, never npx. */
export const INSPECTOR_LAUNCHER = path.resolve(
  HERE,
  '../node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js',
);

/** The `$BROWSER` the CLI's OAuth flow opens (xdg-open runs `$BROWSER <url>`). */
export const BROWSER_SCRIPT = path.resolve(HERE, '../peers/browser.sh');

function launcher() {
  if (!existsSync(INSPECTOR_LAUNCHER)) {
    throw new Error(`${INSPECTOR_LAUNCHER} is missing: run \`npm ci\` in tests/interop`);
  }
  return INSPECTOR_LAUNCHER;
}

/**
 * A fresh, empty HOME for one Inspector use (so it registers a new client and logs in anew);
 * removed when the scenario ends.
 */
export function inspectorHome(t, label = 'inspector') {
  const home = mkdtempSync(path.join(os.tmpdir(), `mcp-auth-${label}-`));
  t.defer(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

/** The environment every Inspector process gets: its own HOME, no keychain, no real browser. */
function baseEnv(home) {
  return {
    HOME: home,
    MCP_INSPECTOR_SECRET_STORE: 'memory',
    MCP_AUTO_OPEN_ENABLED: 'false',
    BROWSER: undefined,
    DISPLAY: undefined,
    WAYLAND_DISPLAY: undefined,
    NO_COLOR: '1',
  };
}

/**
 * Runs `mcp-inspector --cli <args>` to completion within `timeoutMs` (stdin is /dev/null).
 * `env` is added on top of the base environment (e.g. MCP_AUTO_OPEN_ENABLED, BROWSER).
 * Resolves to `{ code, stdout, stderr, json }`: `json` is stdout parsed as JSON when it is.
 */
export async function runInspectorCli(args, { home, env = {}, timeoutMs = 60_000 } = {}) {
  if (!home) throw new Error('runInspectorCli needs a home (inspectorHome(t))');
  const result = await run(process.execPath, [launcher(), '--cli', ...args], {
    env: { ...baseEnv(home), ...env },
    timeoutMs,
  });
  return { ...result, json: parseJson(result.stdout) };
}

/** The CLI's `--format json` output: one JSON object on stdout (undefined when it is not). */
export function parseJson(text) {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

/** The whoami claims from a CLI `tools/call` result (`{"result":{"content":[{text}]}}`). */
export function whoamiClaims(json) {
  const content = json?.result?.content ?? json?.content;
  const text = content?.find?.((c) => c.type === 'text')?.text;
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Starts the web UI on free ports for the MCP server `serverUrl` (`transport`: http or sse),
 * guarded by a random API token, and waits until it answers. Resolves to `{ child, origin,
 * url (with the token), port, callbackUrl, token }`; the child is registered with `t`.
 */
export async function startInspectorWeb(t, { serverUrl, transport = 'http', home, env = {}, timeoutMs = 60_000 } = {}) {
  if (!home) throw new Error('startInspectorWeb needs a home (inspectorHome(t))');
  const [port, sandboxPort, appOriginPort] = await distinctFreePorts(3);
  const token = `interop-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const child = t.track(
    start('inspector-web', process.execPath, [launcher(), '--web', '--transport', transport, '--server-url', serverUrl], {
      env: {
        ...baseEnv(home),
        HOST: '127.0.0.1',
        CLIENT_PORT: port,
        MCP_SANDBOX_PORT: sandboxPort,
        MCP_APP_ORIGIN_PORT: appOriginPort,
        MCP_INSPECTOR_API_TOKEN: token,
        ...env,
      },
    }),
  );
  const origin = `http://127.0.0.1:${port}`;
  // The page must be the Inspector's: a port taken by something else in the meantime fails here.
  await waitForHttp(`${origin}/`, {
    child,
    timeoutMs,
    accept: async (r) => r.status === 200 && (await r.text()).includes('<title>MCP Inspector</title>'),
  });
  return {
    child,
    origin,
    port,
    token,
    url: `${origin}/?MCP_INSPECTOR_API_TOKEN=${encodeURIComponent(token)}`,
    callbackUrl: `${origin}/oauth/callback`,
  };
}

async function distinctFreePorts(count) {
  const ports = new Set();
  for (let i = 0; ports.size < count && i < 20; i++) ports.add(await freePort());
  if (ports.size < count) throw new Error('could not find free ports');
  return [...ports];
}
