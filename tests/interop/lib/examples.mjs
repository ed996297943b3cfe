// Starting the project's example servers (whoami, todo-manager) as real processes, from the
// binaries `cargo build` made, on free loopback ports.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort, start, waitForHttp } from './proc.mjs';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The Cargo target directory (honours `CARGO_TARGET_DIR`). */
export const TARGET_DIR = process.env.CARGO_TARGET_DIR
  ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR)
  : path.join(ROOT, 'target');

/** The path of a workspace binary built in the debug profile. */
export function binary(name) {
  const file = path.join(TARGET_DIR, 'debug', name);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run \`cargo build -p ${name}\` first (run.mjs does it)`);
  }
  return file;
}

/**
 * Starts the example `name` (`whoami` or `todo-manager`) with the `MCP_*` settings in `env`
 * (`MCP_BIND` defaults to a free loopback port).
 * Without `MCP_AUTH_ISSUER` it runs the embedded development authorization server on a free
 * port. Resolves once its protected-resource metadata (or, in authorization-server mode, its
 * mirrored AS metadata) answers. The child is registered with `t` for cleanup.
 */
export async function startExample(t, name, env = {}) {
  const settings = { MCP_BIND: `127.0.0.1:${await freePort()}`, NO_COLOR: '1', ...env };
  const port = Number(settings.MCP_BIND.split(':').pop());
  let devIssuer;
  if (!settings.MCP_AUTH_ISSUER) {
    const devPort = await freePort();
    settings.MCP_AUTH_DEV_BIND = `127.0.0.1:${devPort}`;
    devIssuer = `http://127.0.0.1:${devPort}`;
  }
  const child = t.track(start(name, binary(name), [], { env: settings }));
  const base = `http://127.0.0.1:${port}`;
  const ready =
    settings.MCP_AUTH_MODE === 'authorization-server'
      ? `${base}/.well-known/oauth-authorization-server`
      : `${base}/.well-known/oauth-protected-resource/mcp`;
  await waitForHttp(ready, { child, accept: (r) => r.status === 200 });
  return {
    child,
    base,
    mcpUrl: `${base}/mcp`,
    sseUrl: `${base}/sse`,
    issuer: settings.MCP_AUTH_ISSUER ?? devIssuer,
  };
}
