//! The start-up banner: where everything is, and how to try it.

use std::fmt::Write as _;

use mcp_auth_dev::{DevServer, TokenRequest};

use crate::config::{Config, DEV_CLIENT_ID, VerifierKind};
use crate::example::Example;
use crate::server::RunningServer;

/// The protocol version of the `curl` walk-through (session-based Streamable HTTP).
pub const CURL_PROTOCOL_VERSION: &str = "2025-11-25";
/// The development server's pre-registered public client for MCP Inspector
/// ([`mcp_auth_dev::Client::defaults`]).
const INSPECTOR_CLIENT_ID: &str = "mcp-inspector";

/// What the banner describes.
pub(crate) struct BannerFacts<'a> {
    pub(crate) example: &'a Example,
    pub(crate) config: &'a Config,
    pub(crate) server: &'a RunningServer,
    pub(crate) verifier: VerifierKind,
    pub(crate) warning: Option<&'a str>,
}

/// Renders the banner (plain text, one item per line).
pub(crate) fn render(facts: &BannerFacts<'_>) -> String {
    let BannerFacts {
        example,
        config,
        server,
        verifier,
        warning,
    } = facts;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — an MCP server protected by mcp-auth\n",
        example.name()
    );
    let rows = [
        ("MCP (Streamable HTTP)", server.mcp_url()),
        ("MCP (legacy SSE)", server.sse_url()),
        ("protected resource", server.resource().to_owned()),
        ("metadata", server.metadata_url().to_owned()),
        ("SSE resource", server.sse_resource().to_owned()),
        ("SSE metadata", server.sse_metadata_url().to_owned()),
        (
            "issuer",
            format!(
                "{} ({}{})",
                server.issuer(),
                config.issuer_type,
                if server.dev_server().is_some() {
                    "; embedded development server"
                } else {
                    ""
                }
            ),
        ),
        ("token verification", verifier.as_str().to_owned()),
        ("mode", config.mode.as_str().to_owned()),
    ];
    for (label, value) in rows {
        let _ = writeln!(out, "  {label:<22} {value}");
    }
    if let Some(warning) = warning {
        let _ = writeln!(out, "\n{warning}");
    }
    if *verifier == VerifierKind::Userinfo && !example.tool_scopes().is_empty() {
        let _ = writeln!(
            out,
            "\nwarning: this server requires scopes per tool, and userinfo responses usually carry \
             no scopes;\n         use MCP_AUTH_VERIFIER=jwt or introspection"
        );
    }
    match server.dev_server() {
        Some(dev) => embedded(&mut out, example, server, dev),
        None => {
            let _ = writeln!(
                out,
                "\nGet an access token for {} from {}, then:",
                server.resource(),
                server.issuer()
            );
            let _ = writeln!(out, "\n  export TOKEN='<access token>'");
            curl(&mut out, example, server);
        }
    }
    inspector(&mut out, example, server);
    out
}

/// The banner of a server started with `MCP_AUTH_INSECURE_NO_AUTH`: a loud warning first and
/// last, the URLs, and no token anywhere.
pub(crate) fn render_without_auth(example: &Example, server: &RunningServer) -> String {
    let warning = "!!! INSECURE: MCP_AUTH_INSECURE_NO_AUTH is set. This server checks NO access token:\n\
                   !!! anyone who can reach it can call its tools. For protocol conformance tests on\n\
                   !!! this machine only; unset MCP_AUTH_INSECURE_NO_AUTH to protect it.";
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — an MCP server WITHOUT AUTHENTICATION\n\n{warning}\n",
        example.name()
    );
    let rows = [
        ("MCP (Streamable HTTP)", server.mcp_url()),
        ("MCP (legacy SSE)", server.sse_url()),
        (
            "authentication",
            "none: no Bearer layer, no protected-resource metadata, no issuer".to_owned(),
        ),
    ];
    for (label, value) in rows {
        let _ = writeln!(out, "  {label:<22} {value}");
    }
    let _ = writeln!(
        out,
        "\nMCP Inspector: Transport \"Streamable HTTP\", URL {}, no sign-in.\n\n{warning}",
        server.mcp_url()
    );
    out
}

fn embedded(out: &mut String, example: &Example, server: &RunningServer, dev: &DevServer) {
    let users: Vec<String> = dev
        .users()
        .iter()
        .map(|user| format!("{} (sub {})", user.username, user.sub))
        .collect();
    let _ = writeln!(
        out,
        "\nEmbedded development authorization server (local development only):"
    );
    let _ = writeln!(out, "  {:<22} {}", "test users", users.join(", "));
    let _ = writeln!(
        out,
        "  {:<22} {DEV_CLIENT_ID} / dev-secret (confidential), {INSPECTOR_CLIENT_ID} (public)",
        "clients"
    );
    if !example.demo_tokens().is_empty() {
        let _ = writeln!(
            out,
            "\nAccess tokens minted for {} (valid for one hour):\n",
            server.resource()
        );
    }
    for demo in example.demo_tokens() {
        let request = TokenRequest::for_user(&demo.username, DEV_CLIENT_ID)
            .with_resource(server.resource())
            .with_scopes(demo.scopes.iter().cloned());
        let scopes = if demo.scopes.is_empty() {
            "no scopes".to_owned()
        } else {
            format!("scopes: {}", demo.scopes.join(" "))
        };
        let _ = writeln!(out, "  # {} — {scopes}", demo.username);
        match dev.issue_access_token(&request) {
            Ok(token) => {
                let _ = writeln!(out, "  export {}='{token}'", demo.variable);
            }
            Err(error) => {
                let _ = writeln!(out, "  # (could not mint {}: {error})", demo.variable);
            }
        }
    }
    // The SSE endpoint is its own protected resource (RFC 8707): a token for it, for the
    // first demo user, so the SSE walk-through works with curl too.
    if let Some(demo) = example.demo_tokens().first()
        && server.sse_resource() != server.resource()
    {
        let request = TokenRequest::for_user(&demo.username, DEV_CLIENT_ID)
            .with_resource(server.sse_resource())
            .with_scopes(demo.scopes.iter().cloned());
        if let Ok(token) = dev.issue_access_token(&request) {
            let _ = writeln!(
                out,
                "  # {} — the same, for the legacy SSE endpoint ({})\n  export SSE_{}='{token}'",
                demo.username,
                server.sse_resource(),
                demo.variable
            );
        }
    }
    curl(out, example, server);
}

/// The `curl` walk-through: the challenge, then initialize, initialized and a tool call.
fn curl(out: &mut String, example: &Example, server: &RunningServer) {
    let url = server.mcp_url();
    let version = CURL_PROTOCOL_VERSION;
    let tool = example.curl_tool();
    let _ = writeln!(
        out,
        "\nTry it with curl (Streamable HTTP):

  curl -si -X POST {url}    # no token: 401 and the challenge
  mcp() {{ curl -s {url} -H \"Authorization: Bearer $TOKEN\" \\
      -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\
      -H 'Mcp-Protocol-Version: {version}' \"$@\"; }}
  SID=$(mcp -D - -o /dev/null -d '{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{{\"protocolVersion\":\"{version}\",\"capabilities\":{{}},\"clientInfo\":{{\"name\":\"curl\",\"version\":\"1\"}}}}}}' \\
      | awk 'tolower($1) == \"mcp-session-id:\" {{ print $2 }}' | tr -d '\\r')
  mcp -H \"Mcp-Session-Id: $SID\" -d '{{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}}'
  mcp -H \"Mcp-Session-Id: $SID\" -d '{{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{{\"name\":\"{tool}\",\"arguments\":{{}}}}}}'"
    );
}

/// How to connect MCP Inspector: the URLs, and how it signs in (discovery, then dynamic client
/// registration or a pre-registered client, then the authorization server's login page).
fn inspector(out: &mut String, example: &Example, server: &RunningServer) {
    let _ = writeln!(
        out,
        "\nMCP Inspector (npx @modelcontextprotocol/inspector):
  Transport \"Streamable HTTP\", URL {}
  or Transport \"SSE\", URL {}",
        server.mcp_url(),
        server.sse_url()
    );
    match server.dev_server() {
        Some(dev) => {
            let users: Vec<&str> = dev.users().iter().map(|u| u.username.as_str()).collect();
            let _ = writeln!(
                out,
                "  Connect, then sign in: Inspector reads the metadata and registers itself (dynamic
  client registration) — or set its OAuth Client ID to the pre-registered public client
  \"{INSPECTOR_CLIENT_ID}\" — and opens the development server's login page: pick {},
  allow, then run {}.",
                users.join(" or "),
                example.curl_tool()
            );
            if !example.demo_tokens().is_empty() {
                let _ = writeln!(
                    out,
                    "  Or skip the sign-in: header \"Authorization\" = \"Bearer <a token above>\"."
                );
            }
        }
        None => {
            let _ = writeln!(
                out,
                "  Connect, then sign in: Inspector discovers the authorization server from the
  metadata (the provider must offer dynamic client registration, or have Inspector registered
  with the redirect URL http://localhost:6274/oauth/callback)."
            );
        }
    }
}
