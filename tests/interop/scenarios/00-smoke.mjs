// A first check of the harness itself: whoami on the development server answers 401 with the
// RFC 9728 challenge, and the SDK client's whole OAuth flow gets alice's claims.
import assert from 'node:assert/strict';

import { startExample } from '../lib/examples.mjs';
import { callJsonTool, connectWithOAuth } from '../lib/mcp-client.mjs';

export default [
  {
    name: 'harness: whoami on the dev server, TS SDK client over Streamable HTTP',
    async run(t) {
      const whoami = await startExample(t, 'whoami');
      const response = await fetch(whoami.mcpUrl, { method: 'POST' });
      assert.equal(response.status, 401);
      const { client, requests } = await connectWithOAuth(whoami.mcpUrl, { log: (l) => t.log(l) });
      t.defer(() => client.close());
      for (const r of requests) t.log(`${r.method} ${r.url} -> ${r.status}`);
      const { json } = await callJsonTool(client, 'whoami');
      assert.equal(json.sub, 'u-alice');
    },
  },
];
