// The servers under load, each a real process pinned to the server core: the release whoami
// binary in every verifier mode and unprotected, in both answer framings, and the peer SDKs'
// whoami servers. Each target knows how to get a token for itself and what its answers must
// contain.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { ROOT } from '../../../tests/interop/lib/examples.mjs';
import { codeFlowToken } from '../../../tests/interop/lib/oidc.mjs';
import { freePort, start, waitForHttp } from '../../../tests/interop/lib/proc.mjs';

/** The scopes every token asks for (the whoami tutorial's). */
const SCOPE = 'openid profile email';

/** The release binary of the whoami example. */
export function releaseBinary(name) {
  const dir = process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
  const file = path.join(dir, 'release', name);
  if (!existsSync(file)) throw new Error(`${file} is missing: build it with cargo build --release -p ${name}`);
  return file;
}

/** Resident set size and its peak, in KiB, of a running process (Linux /proc). */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return { rssKiB: field('VmRSS'), peakKiB: field('VmHWM') };
}

/**
 * Resets a process's peak RSS (VmHWM) to its current RSS, so that the next `memory(pid)` gives
 * the peak since now (Linux ≥ 4.0, `/proc/<pid>/clear_refs`). Returns false where unsupported.
 */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU time (user + system, all threads) a running process has used so far, in seconds. */
export function cpuSeconds(pid) {
  // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100; // USER_HZ on Linux
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/**
 * The Rust targets: whoami (release) with `mode` `none` (MCP_AUTH_INSECURE_NO_AUTH) or a
 * verifier (`jwt`, `introspection`, `userinfo`), `framing` `json` or `sse`, measured on
 * `protocols` (`stateless`, `session`).
 */
export function rustTarget({ mode, framing, issuers, protocols }) {
  const sessions = protocols.includes('session');
  const name = `whoami ${mode === 'none' ? 'unprotected' : mode} ${sessions ? 'sessions' : framing}`;
  return {
    name,
    kind: 'rust',
    mode,
    framing,
    protocols,
    async start(t, cpu) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const env = { MCP_BIND: `127.0.0.1:${port}`, MCP_RESPONSE_FRAMING: framing, NO_COLOR: '1', RUST_LOG: 'warn' };
      if (mode === 'none') {
        env.MCP_AUTH_INSECURE_NO_AUTH = '1';
      } else {
        const as = mode === 'jwt' ? issuers.jwt : issuers.opaque;
        env.MCP_AUTH_ISSUER = as.issuer;
        env.MCP_AUTH_ISSUER_TYPE = 'oidc';
        env.MCP_AUTH_VERIFIER = mode;
        if (mode === 'introspection') {
          env.MCP_AUTH_CLIENT_ID = as.clients.resourceServer.clientId;
          env.MCP_AUTH_CLIENT_SECRET = as.clients.resourceServer.clientSecret;
        }
      }
      const child = t.track(start(name, 'taskset', ['-c', String(cpu), releaseBinary('whoami')], { env }));
      const ready = mode === 'none' ? `${base}/mcp` : `${base}/.well-known/oauth-protected-resource/mcp`;
      await waitForHttp(ready, { child, accept: (r) => mode === 'none' || r.status === 200 });
      const url = `${base}/mcp`;
      let token;
      let expect = 'Not authenticated';
      if (mode !== 'none') {
        const as = mode === 'jwt' ? issuers.jwt : issuers.opaque;
        // userinfo: a token for the issuer's own userinfo endpoint (no resource), as in the
        // tutorial; jwt and introspection: a token issued for this server (RFC 8707).
        const resource = mode === 'userinfo' ? undefined : url;
        ({ access_token: token } = (await codeFlowToken(as.issuer, { scope: SCOPE, resource })).tokens);
        expect = '\\"sub\\":\\"alice\\"';
      }
      return { child, url, token, expect };
    },
  };
}

/**
 * A peer SDK's whoami server (bench/load/peers): `command args` started with PEER_PORT and
 * PEER_ISSUER, ready when it prints `peer listening`.
 */
export function peerTarget({ name, command, args, cwd, issuers, protocols, expect }) {
  return {
    name,
    kind: 'peer',
    mode: 'jwt',
    framing: 'json',
    protocols,
    async start(t, cpu) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/mcp`;
      const env = { PEER_PORT: String(port), PEER_ISSUER: issuers.jwt.issuer };
      const child = t.track(start(name, 'taskset', ['-c', String(cpu), command, ...args], { env, cwd }));
      await child.waitForOutput(/peer listening/, 60_000);
      await waitForHttp(url, { child });
      const { access_token: token } = (await codeFlowToken(issuers.jwt.issuer, { scope: SCOPE, resource: url })).tokens;
      return { child, url, token, expect: expect ?? '\\"sub\\":\\"alice\\"' };
    },
  };
}
