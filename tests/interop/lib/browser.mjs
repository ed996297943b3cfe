// A headless "browser" for authorization requests: follows redirects with a cookie jar and
// fills in the login and consent pages it knows (the project's development authorization
// server; oidc-provider runs with automatic interactions in these scenarios) until the
// authorization server redirects to the client's `redirect_uri`.

const MAX_STEPS = 20;

class CookieJar {
  constructor() {
    this.byOrigin = new Map();
  }

  store(url, response) {
    const origin = new URL(url).origin;
    const jar = this.byOrigin.get(origin) ?? new Map();
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.byOrigin.set(origin, jar);
  }

  header(url) {
    const jar = this.byOrigin.get(new URL(url).origin);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function hidden(html, name) {
  const match = html.match(new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`));
  return match ? decodeEntities(match[1]) : undefined;
}

function decodeEntities(text) {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/**
 * Drives `authorizationUrl` as user `user` who approves, and resolves to the URL the
 * authorization server finally redirected to (the one starting with `redirectPrefix`, such as
 * `http://127.0.0.1:9999/callback`). With `deliver: true` that last URL is also requested, for
 * clients that listen on their redirect URI (MCP Inspector's CLI). `log` receives one line per
 * request.
 */
export async function authorize(authorizationUrl, { redirectPrefix, user = 'alice', deliver = false, log } = {}) {
  const jar = new CookieJar();
  let request = { url: String(authorizationUrl), method: 'GET' };
  for (let step = 0; step < MAX_STEPS; step++) {
    if (redirectPrefix && request.url.startsWith(redirectPrefix)) {
      if (deliver) {
        const response = await fetch(request.url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
        log?.(`GET ${request.url.split('?')[0]} -> ${response.status}`);
      }
      return new URL(request.url);
    }
    const headers = {};
    const cookie = jar.header(request.url);
    if (cookie) headers.cookie = cookie;
    if (request.body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    jar.store(request.url, response);
    log?.(`${request.method} ${request.url.split('?')[0]} -> ${response.status}`);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      request = { url: new URL(location, request.url).toString(), method: 'GET' };
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) {
      throw new Error(`authorization step ${request.method} ${request.url} answered ${response.status}: ${html.slice(0, 500)}`);
    }
    const requestId = hidden(html, 'request_id');
    const csrf = hidden(html, 'csrf_token');
    if (requestId && csrf && html.includes('name="username"')) {
      // The development server's login page: one submit button per test user.
      if (!html.includes(`name="username" value="${user}"`)) {
        throw new Error(`user ${user} is not offered on the login page`);
      }
      const body = new URLSearchParams({ request_id: requestId, csrf_token: csrf, username: user });
      request = { url: new URL('/authorize/login', request.url).toString(), method: 'POST', body: body.toString() };
      continue;
    }
    if (requestId && csrf && html.includes('name="decision"')) {
      // The development server's consent page.
      const body = new URLSearchParams({ request_id: requestId, csrf_token: csrf, decision: 'approve' });
      request = { url: new URL('/authorize/consent', request.url).toString(), method: 'POST', body: body.toString() };
      continue;
    }
    throw new Error(`unexpected page at ${request.url}: ${html.slice(0, 500)}`);
  }
  throw new Error(`no redirect to ${redirectPrefix} after ${MAX_STEPS} steps`);
}
