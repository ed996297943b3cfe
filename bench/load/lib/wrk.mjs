// wrk (Debian's package) as the load generator: keep-alive connections, one thread on the
// load core, every answer checked by call.lua.

import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { run } from '../../../tests/interop/lib/proc.mjs';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'call.lua');

/**
 * Runs wrk against `url` for `seconds` with `connections` connections, pinned to `cpu`.
 * `headers` is an object, `expect` the substring every body must contain, `sessions` the
 * session ids to use in turn (2025-11-25). Resolves to the
 * parsed LOAD_RESULT plus `rps`.
 */
export async function wrk({ url, body, headers, expect, connections, seconds, cpu, sessions = [] }) {
  const args = ['-c', String(cpu), 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', SCRIPT, url];
  const result = await run('taskset', args, {
    env: {
      LOAD_BODY: body,
      LOAD_HEADERS: Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n'),
      LOAD_EXPECT: expect,
      LOAD_SESSIONS: sessions.join(','),
    },
    timeoutMs: (seconds + 30) * 1000,
  });
  const line = result.stdout.split('\n').find((l) => l.startsWith('LOAD_RESULT '));
  if (result.code !== 0 || !line) {
    throw new Error(`wrk failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  const parsed = JSON.parse(line.slice('LOAD_RESULT '.length));
  parsed.rps = parsed.requests / (parsed.duration_us / 1e6);
  parsed.errors =
    parsed.bad_status + parsed.bad_body + parsed.connect_errors + parsed.read_errors + parsed.write_errors + parsed.timeouts;
  return parsed;
}
