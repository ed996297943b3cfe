// Scenario 5: MCP Inspector's web UI in headless Chromium against the whoami example on the
// embedded development authorization server. The Inspector registers itself (DCR) and sends the
// browser to the server's real login page; alice's button and "Allow" are clicked in Chromium,
// the browser returns to the Inspector's /oauth/callback, and whoami run from the Tools tab
// shows alice's claims.
//
// Ports: the web UI defaults to the fixed 6274 (UI), 6275 (MCP-Apps sandbox) and 6278 (app
// origin); lib/inspector.mjs moves all three to free ports (CLIENT_PORT, MCP_SANDBOX_PORT,
// MCP_APP_ORIGIN_PORT), and the OAuth redirect URI follows CLIENT_PORT.
//
// Screenshots go to out/inspector-web-*.png; with INTEROP_SAVE_SCREENSHOT=1 the last one (the
// whoami result) also replaces docs/images/inspector-whoami.png.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { ROOT, startExample } from '../lib/examples.mjs';
import { inspectorHome, startInspectorWeb } from '../lib/inspector.mjs';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const STEP_MS = 20_000;
const DOC_IMAGE = path.join(ROOT, 'docs', 'images', 'inspector-whoami.png');

/**
 * Waits until the page's URL matches. A navigation the page itself replaces by another (the
 * UI may start the redirect twice) aborts with ERR_ABORTED: that is not a failure, keep waiting.
 */
async function waitForUrl(page, predicate, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await page.waitForURL(predicate, { timeout: Math.max(1, deadline - Date.now()) });
      return;
    } catch (error) {
      if (!String(error.message).includes('ERR_ABORTED') || Date.now() >= deadline) throw error;
    }
  }
}

/** The whole web UI flow over `transport` (`http`: Streamable HTTP at /mcp; `sse`: /sse). */
async function webFlow(t, transport) {
      if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
      const whoami = await startExample(t, 'whoami');
      const serverUrl = transport === 'sse' ? whoami.sseUrl : whoami.mcpUrl;
      const home = inspectorHome(t, `inspector-web-${transport}`);
      const web = await startInspectorWeb(t, { serverUrl, transport, home });
      t.log(`inspector web UI at ${web.origin}, server ${serverUrl}, issuer ${whoami.issuer}`);

      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
      t.defer(() => browser.close());
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.setDefaultTimeout(STEP_MS);
      const navigations = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) {
          navigations.push(frame.url());
          t.log(`navigated: ${frame.url()}`);
        }
      });
      page.on('pageerror', (error) => t.log(`page error: ${error.message}`));
      let shot = 0;
      const screenshot = async (label) => {
        const file = path.join(t.outDir, `inspector-web-${transport}-${++shot}-${label}.png`);
        await page.screenshot({ path: file });
        t.log(`screenshot ${file}`);
        return file;
      };

      // The UI ('load', not 'networkidle': the page asks for web fonts that cannot load here).
      await page.goto(web.url, { waitUntil: 'load' });
      const toggle = page.getByRole('switch', { name: /Connect or disconnect/ });
      await toggle.waitFor({ state: 'attached' });
      await screenshot('ui');

      // Connect: the Inspector discovers the PRM and AS metadata, registers, and redirects.
      // (The switch's input sits under its styled track, hence force.)
      await toggle.click({ force: true });
      await waitForUrl(page, (u) => u.href.startsWith(`${whoami.issuer}/authorize?`));
      const authorization = new URL(page.url());
      const q = authorization.searchParams;
      t.log(`authorization request: ${authorization}`);
      assert.equal(q.get('response_type'), 'code');
      assert.equal(q.get('code_challenge_method'), 'S256');
      assert.ok(q.get('code_challenge'), 'no code_challenge');
      assert.equal(q.get('redirect_uri'), web.callbackUrl);
      // The resource is the endpoint connected to: /sse has its own protected resource.
      assert.equal(q.get('resource'), serverUrl);
      assert.ok(q.get('client_id') && q.get('client_id') !== 'mcp-inspector', `client_id ${q.get('client_id')}`);

      // The dev server's login page: one button per test user.
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await screenshot('login');
      await page.getByRole('button', { name: /Alice Liddell/ }).click();

      // Its consent page.
      await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
      assert.match(await page.locator('main').innerText(), /Signed in as Alice Liddell \(alice\)/);
      await screenshot('consent');
      await page.getByRole('button', { name: 'Allow', exact: true }).click();

      // Back at the Inspector's callback with the code and the issuer (RFC 9207), then connected.
      await waitForUrl(page, (u) => u.origin === web.origin);
      const callback = navigations.map((u) => new URL(u)).find((u) => u.href.startsWith(web.callbackUrl));
      assert.ok(callback, `no navigation to ${web.callbackUrl}: ${navigations.join(' | ')}`);
      assert.ok(callback.searchParams.get('code'), 'the callback has no code');
      assert.equal(callback.searchParams.get('state'), q.get('state'));
      assert.equal(callback.searchParams.get('iss'), whoami.issuer);
      await page.getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
      if (transport === 'http') await page.getByText('Streamable HTTP', { exact: true }).waitFor();
      await screenshot('connected');

      // Tools → whoami → Execute Tool.
      await page.getByText('Tools', { exact: true }).click();
      await page.getByText('whoami', { exact: true }).first().click();
      await page.getByRole('button', { name: 'Execute Tool' }).click();
      await page.getByText('u-alice').first().waitFor();
      // The Results card: the nearest ancestor of its title that holds the tool's output.
      const results = page
        .getByText('Results', { exact: true })
        .locator('xpath=ancestor::*[contains(normalize-space(.), "u-alice")][1]');
      const shown = await results.innerText();
      t.log(`results panel: ${shown.replace(/\s+/g, ' ')}`);
      assert.match(shown, /"sub":\s*"u-alice"/);
      assert.match(shown, /"preferred_username":\s*"alice"/);
      const final = await screenshot('whoami');

      if (transport === 'http' && process.env.INTEROP_SAVE_SCREENSHOT === '1') {
        mkdirSync(path.dirname(DOC_IMAGE), { recursive: true });
        copyFileSync(final, DOC_IMAGE);
        t.log(`saved ${DOC_IMAGE}`);
      }
}

export default [
  {
    name: "5 MCP Inspector web UI in Chromium, Streamable HTTP: DCR → dev server's login page (click alice) → consent (Allow) → Tools → whoami shows u-alice",
    timeoutMs: 180_000,
    run: (t) => webFlow(t, 'http'),
  },
  {
    name: "5 MCP Inspector web UI in Chromium, legacy SSE: DCR → dev server's login page (click alice) → consent (Allow) → Tools → whoami shows u-alice",
    timeoutMs: 180_000,
    run: (t) => webFlow(t, 'sse'),
  },
];
