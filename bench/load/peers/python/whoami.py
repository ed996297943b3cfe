"""Load-test peer: the "WhoAmI" MCP server of the MCP Auth tutorial, protected by PyPI `mcpauth`.

mcpauth 0.1.1 (the newest on PyPI) only has the old "authorization server" mode:
`MCPAuth(server=fetch_server_config(issuer, OIDC))`, its AS-metadata route
(`/.well-known/oauth-authorization-server`, a copy of the issuer's metadata; there is no RFC 9728
metadata in this version) and `bearer_auth_middleware("jwt", audience=...)`, which verifies the
JWT with the issuer's JWKS (PyJWKClient) and stores the `AuthInfo` in a context variable that the
tool reads through `mcp_auth.auth_info`.

The MCP side is the official SDK (`mcp` 2.x: `MCPServer`, formerly FastMCP) in its fastest
documented shape for one-shot requests: stateless Streamable HTTP with JSON responses
(`streamable_http_app(stateless_http=True, json_response=True)`), so a bare `tools/call` works
without `initialize`. One uvicorn worker on uvloop + httptools, no access log, log level warning.

Environment:
  PEER_PORT    listen port on 127.0.0.1 (required)
  PEER_ISSUER  issuer URL of the authorization server (required; fetched once at start)
The resource (the expected `aud`) is http://127.0.0.1:PEER_PORT/mcp.

Prints exactly one line `peer listening http://127.0.0.1:PORT/mcp` once the socket is bound;
SIGTERM/SIGINT shut it down (exit status 0).
"""

from __future__ import annotations

import json
import os
import sys
from types import FrameType

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcpauth import MCPAuth
from mcpauth.config import AuthServerType
from mcpauth.utils import fetch_server_config
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount


def _settings() -> tuple[int, str]:
    try:
        port = int(os.environ.get("PEER_PORT", ""))
    except ValueError:
        port = 0
    issuer = os.environ.get("PEER_ISSUER", "")
    if port <= 0 or not issuer:
        print("whoami (mcpauth py): PEER_PORT and PEER_ISSUER are required", file=sys.stderr)
        sys.exit(2)
    return port, issuer


PORT, ISSUER = _settings()
RESOURCE = f"http://127.0.0.1:{PORT}/mcp"

try:
    mcp_auth = MCPAuth(server=fetch_server_config(ISSUER, type=AuthServerType.OIDC))
except Exception as error:  # noqa: BLE001 - report any start-up failure in one line
    print(f"whoami (mcpauth py): cannot fetch the metadata of {ISSUER}: {error}", file=sys.stderr)
    sys.exit(1)

# log_level: MCPServer configures logging itself (INFO by default, one line per request).
mcp = MCPServer("WhoAmI", log_level="WARNING")


@mcp.tool(structured_output=False)
async def whoami() -> str:
    """A tool that returns the current user's information."""
    info = mcp_auth.auth_info  # set by the Bearer auth middleware
    claims = info.claims if info else {"error": "Not authenticated"}
    return json.dumps(claims, separators=(",", ":"))


mcp_app = mcp.streamable_http_app(stateless_http=True, json_response=True)
bearer_auth = Middleware(mcp_auth.bearer_auth_middleware("jwt", audience=RESOURCE))

app = Starlette(
    routes=[
        # `/.well-known/oauth-authorization-server` (mcpauth 0.1.x has no protected-resource metadata)
        mcp_auth.metadata_route(),
        # The MCP app serves `/mcp`; everything under it is behind the Bearer middleware.
        Mount("/", app=mcp_app, middleware=[bearer_auth]),
    ],
    # The mounted app's lifespan starts the session manager; a Mount does not run it.
    lifespan=lambda _app: mcp_app.router.lifespan_context(mcp_app),
)


class _Server(uvicorn.Server):
    """Prints the ready line once the listening socket is bound; exits 0 after SIGTERM/SIGINT."""

    async def startup(self, sockets=None) -> None:  # type: ignore[no-untyped-def]
        await super().startup(sockets=sockets)
        if not self.should_exit:
            print(f"peer listening {RESOURCE}", flush=True)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        # uvicorn re-raises a captured signal after its graceful shutdown (exit status 143 for
        # SIGTERM); a stop requested by the harness is a clean exit here.
        captured = getattr(self, "_captured_signals", None)
        if isinstance(captured, list) and sig in captured:
            captured.remove(sig)


def main() -> None:
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=PORT,
        workers=1,
        # uvicorn's documented fast path (installed by uvicorn[standard]); fail loudly if absent.
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    _Server(config).run()


if __name__ == "__main__":
    main()
