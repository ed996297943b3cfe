#!/usr/bin/env node
// Plays the user's browser for an OAuth client that opens its authorization URL with
// xdg-open/$BROWSER (MCP Inspector's CLI): drives the development authorization server's real
// login and consent pages (lib/browser.mjs) and then requests the redirect URI, so the client's
// callback listener receives the code.
//
//   node open-url.mjs <authorization URL>
//
// Environment: INTEROP_BROWSER_USER (default alice), INTEROP_REDIRECT_PREFIX (default: the
// request's redirect_uri), INTEROP_BROWSER_LOG (a file that receives one line per request and
// the outcome; the opener discards this process's output).

import { appendFileSync } from 'node:fs';

import { authorize } from '../lib/browser.mjs';

const logFile = process.env.INTEROP_BROWSER_LOG;
function log(line) {
  const text = `[open-url ${new Date().toISOString()}] ${line}\n`;
  if (logFile) appendFileSync(logFile, text);
  else process.stderr.write(text);
}

async function main() {
  const target = process.argv[2];
  if (!target) throw new Error('usage: open-url.mjs <authorization URL>');
  const url = new URL(target);
  const redirectPrefix = process.env.INTEROP_REDIRECT_PREFIX || url.searchParams.get('redirect_uri');
  if (!redirectPrefix) throw new Error(`no redirect_uri in ${url}`);
  const user = process.env.INTEROP_BROWSER_USER || 'alice';
  log(`open ${url.origin}${url.pathname} as ${user}; callback ${redirectPrefix}`);
  const redirect = await authorize(url, { redirectPrefix, user, deliver: true, log });
  const error = redirect.searchParams.get('error');
  log(error ? `redirected with error=${error}` : `redirected with code (state ${redirect.searchParams.has('state') ? 'present' : 'absent'})`);
}

main().then(
  () => process.exit(0),
  (error) => {
    log(`failed: ${error.stack ?? error}`);
    process.exit(1);
  },
);
