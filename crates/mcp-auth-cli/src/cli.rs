//! The command line (clap derive): commands, options and their help.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, ColorChoice, Parser, Subcommand, ValueEnum};
use mcp_auth::AuthServerType;
use mcp_auth_dev::SigningAlgorithm;

/// The exit-code table shared by every help page.
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0  success
  1  the check failed, or the token was refused
  2  usage or configuration error (bad arguments, invalid issuer URL, unreadable file)
  3  network error, or the service is unavailable"
    };
}

/// Command-line tools for MCP authorization: a development authorization server, a provider
/// checker, and access-token helpers.
#[derive(Debug, Parser)]
#[command(
    name = "mcp-auth",
    version,
    about = "Command-line tools for MCP authorization (OAuth 2.1): a development authorization \
             server, a provider checker, and access-token helpers",
    after_help = exit_codes!(),
    after_long_help = concat!(
        "Examples:
  mcp-auth dev-server                              # a local issuer on http://127.0.0.1:3000
  mcp-auth check https://tenant.logto.app/oidc     # can MCP clients use this provider?
  TOKEN=$(mcp-auth token --issuer http://127.0.0.1:3000 --client-id dev-client \\
          --client-secret dev-secret --resource http://127.0.0.1:3001/mcp)
  mcp-auth decode \"$TOKEN\" --issuer http://127.0.0.1:3000 --resource http://127.0.0.1:3001/mcp

Colour is used on a terminal only; NO_COLOR=1 or --color never turns it off.

",
        exit_codes!()
    )
)]
pub(crate) struct Cli {
    /// When to colour the output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the embedded development authorization server until Ctrl-C.
    #[command(
        after_help = exit_codes!(),
        after_long_help = concat!(
            "A real OAuth 2.1 / OpenID Connect authorization server for local development, with \
test users and clients built in (see the printed banner). It is plain HTTP with known secrets: \
never expose it to a network. Binding to a non-loopback address prints a loud warning.

Examples:
  mcp-auth dev-server
  mcp-auth dev-server --bind 127.0.0.1:0 --json     # a free port; one JSON line on stdout
  mcp-auth dev-server --keys dev-keys.json --alg rs256 --users users.json

A users file is a JSON array of users (or {\"users\": [...]}):
  [{\"username\": \"carol\", \"sub\": \"u-carol\", \"name\": \"Carol\", \"email\": \"carol@example.com\",
    \"email_verified\": true, \"department\": \"research\"}]

",
            exit_codes!()
        )
    )]
    DevServer(DevServerArgs),

    /// Check that an authorization server can serve MCP clients.
    #[command(
        after_help = exit_codes!(),
        after_long_help = concat!(
            "Discovers the metadata (RFC 8414, then OpenID Connect Discovery, in the order of \
the MCP authorization specification), then reports one line per requirement: where the \
metadata was found, issuer match, authorization-code flow, PKCE S256, client registration \
(DCR or Client ID Metadata Documents), resource indicators (RFC 8707), the JWKS and its usable \
keys, userinfo, and the RFC 9207 `iss` parameter. Errors make the provider unusable for MCP \
clients; warnings and notes do not.

Examples:
  mcp-auth check https://tenant.logto.app/oidc
  mcp-auth check https://keycloak.example.com/realms/mcp --type oidc
  mcp-auth check http://127.0.0.1:3000 --json | jq '.checks[] | select(.level == \"error\")'

Exit codes:
  0  the provider can serve MCP clients (warnings allowed)
  1  it cannot: at least one error-level finding, or no metadata document
  2  usage or configuration error (invalid issuer URL, a URL refused by the outbound policy)
  3  network error, or the service is unavailable: a fetch failed (the metadata, or the JWKS)
     and no other error was found"
        )
    )]
    Check(CheckArgs),

    /// Get an access token (client credentials, or a test user of the development server).
    #[command(
        after_help = exit_codes!(),
        after_long_help = concat!(
            "Prints only the access token on stdout, so `TOKEN=$(mcp-auth token ...)` works; \
--json prints the whole token response instead.

With --client-id and --client-secret: the client-credentials grant (RFC 6749 §4.4) against any \
issuer, whose token endpoint is discovered from its metadata. The secret may come from the \
environment variable MCP_AUTH_CLIENT_SECRET instead of the command line (better: it stays out \
of the shell history and the process list).

With --dev-user NAME: a token for a test user of the development server (`mcp-auth \
dev-server`, default issuer http://127.0.0.1:3000), obtained by running its \
authorization-code flow with PKCE (signing in as NAME and approving the consent page) as the \
public client `mcp-inspector`. This only works with the development server.

Pass --resource (RFC 8707) to get a JWT access token whose audience is your MCP server.

Examples:
  export MCP_AUTH_CLIENT_SECRET=dev-secret
  TOKEN=$(mcp-auth token --issuer http://127.0.0.1:3000 --client-id dev-client \\
          --resource http://127.0.0.1:3001/mcp --scope \"openid profile\")
  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:3001/mcp
  mcp-auth token --dev-user alice --resource http://127.0.0.1:3001/mcp
  mcp-auth token --issuer https://auth.example.com --client-id svc --auth post --json

Exit codes:
  0  a token was printed
  1  the authorization server refused the request (its OAuth error is shown)
  2  usage or configuration error (missing client id or secret, invalid URL, a --dev-user the
     development server does not have)
  3  network error, or the service is unavailable"
        )
    )]
    Token(TokenArgs),

    /// Show a JWT's header and claims; verify it against an issuer when asked.
    #[command(
        after_help = exit_codes!(),
        after_long_help = concat!(
            "Without --issuer the token is only decoded: the output is marked UNVERIFIED and \
proves nothing. With --issuer, the token is verified exactly like an MCP server using \
mcp_auth's JwtVerifier would: the issuer's metadata is discovered, the signature is checked \
with its JWKS, then `iss`, time claims and, with --resource, `aud` (without --resource the \
audience is not checked, and the output says so). The token may be given as `-` to read it \
from stdin; a leading `Bearer ` is ignored.

Examples:
  mcp-auth decode eyJhbGciOi...
  mcp-auth token --dev-user alice --resource http://127.0.0.1:3001/mcp | mcp-auth decode -
  mcp-auth decode \"$TOKEN\" --issuer http://127.0.0.1:3000 --resource http://127.0.0.1:3001/mcp
  mcp-auth decode \"$TOKEN\" --json | jq .claims.scope

Exit codes:
  0  decoded (and, with --issuer, VERIFIED)
  1  verification refused the token (the reason is shown)
  2  usage error, or the input is not a JWT (not three base64url parts of JSON)
  3  network error, or the issuer's metadata or keys are unavailable"
        )
    )]
    Decode(DecodeArgs),
}

/// Options of `dev-server`.
#[derive(Debug, Args)]
pub(crate) struct DevServerArgs {
    /// Address to listen on; port 0 picks a free port (the bound issuer is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:3000")]
    pub(crate) bind: SocketAddr,

    /// JSON file of test users, replacing the built-in alice and bob.
    #[arg(long, value_name = "FILE")]
    pub(crate) users: Option<PathBuf>,

    /// JSON file keeping the signing keys across restarts (created, mode 0600, if missing).
    #[arg(long, value_name = "FILE")]
    pub(crate) keys: Option<PathBuf>,

    /// Signing algorithm of the access tokens.
    #[arg(long, value_enum, default_value_t = Alg::Es256)]
    pub(crate) alg: Alg,

    /// Scopes clients may request, space-separated (default "openid profile email").
    #[arg(long, value_name = "SCOPES")]
    pub(crate) scopes: Option<String>,

    /// Print the issuer, endpoints, users and clients as one JSON line instead of a banner.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Options of `check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The issuer identifier, exactly as the provider spells it in its metadata.
    pub(crate) issuer: String,

    /// Use one discovery rule instead of the MCP order: `oauth` (RFC 8414) or `oidc` (OpenID
    /// Connect Discovery).
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub(crate) server_type: Option<ServerType>,

    /// Print the report as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Options of `token`.
#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    /// The issuer (default for --dev-user: the development server on 127.0.0.1:3000).
    #[arg(long, value_name = "URL")]
    pub(crate) issuer: Option<String>,

    /// The client id (client credentials; with --dev-user, default `mcp-inspector`).
    #[arg(long, value_name = "ID")]
    pub(crate) client_id: Option<String>,

    /// The client secret (or the environment variable MCP_AUTH_CLIENT_SECRET).
    #[arg(
        long,
        value_name = "SECRET",
        env = "MCP_AUTH_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub(crate) client_secret: Option<Secret>,

    /// Get a token for this test user of the development server (authorization-code flow).
    #[arg(long, value_name = "USERNAME")]
    pub(crate) dev_user: Option<String>,

    /// The resource (RFC 8707) the token is for: your MCP server's URL.
    #[arg(long, value_name = "URL")]
    pub(crate) resource: Option<String>,

    /// Scopes to request, space-separated (e.g. "openid profile").
    #[arg(long, value_name = "SCOPES")]
    pub(crate) scope: Option<String>,

    /// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
    #[arg(long, value_enum, default_value_t = ClientAuthMethod::Basic)]
    pub(crate) auth: ClientAuthMethod,

    /// Use this token endpoint instead of discovering it.
    #[arg(long, value_name = "URL")]
    pub(crate) token_endpoint: Option<String>,

    /// Discovery rule: `oauth` (RFC 8414) or `oidc` (default: the MCP order).
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub(crate) server_type: Option<ServerType>,

    /// With --dev-user: the redirect URI registered for the client (it is not opened; the
    /// code is read from the redirect).
    #[arg(long, value_name = "URL")]
    pub(crate) redirect_uri: Option<String>,

    /// Print the whole token response as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Options of `decode`.
#[derive(Debug, Args)]
pub(crate) struct DecodeArgs {
    /// The token, or `-` to read it from stdin.
    pub(crate) token: String,

    /// Verify the token against this issuer's JWKS (discovered from its metadata).
    #[arg(long, value_name = "URL")]
    pub(crate) issuer: Option<String>,

    /// With --issuer: the resource the token must be for (`aud`, RFC 8707).
    #[arg(long, value_name = "URL", requires = "issuer")]
    pub(crate) resource: Option<String>,

    /// With --issuer: discovery rule, `oauth` or `oidc` (default: the MCP order).
    #[arg(long = "type", value_enum, value_name = "TYPE", requires = "issuer")]
    pub(crate) server_type: Option<ServerType>,

    /// Print header, claims and the verification result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `--alg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Alg {
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (2048-bit key).
    Rs256,
}

impl From<Alg> for SigningAlgorithm {
    fn from(alg: Alg) -> Self {
        match alg {
            Alg::Es256 => SigningAlgorithm::Es256,
            Alg::Rs256 => SigningAlgorithm::Rs256,
        }
    }
}

/// `--type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ServerType {
    /// OAuth 2.0 Authorization Server Metadata (RFC 8414).
    Oauth,
    /// OpenID Connect Discovery.
    Oidc,
}

impl From<ServerType> for AuthServerType {
    fn from(server_type: ServerType) -> Self {
        match server_type {
            ServerType::Oauth => AuthServerType::OAuth,
            ServerType::Oidc => AuthServerType::Oidc,
        }
    }
}

/// `--auth`: client authentication at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ClientAuthMethod {
    /// `client_secret_basic`: HTTP Basic authentication.
    Basic,
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    Post,
}

/// A client secret: never shown by `Debug`.
#[derive(Clone)]
pub(crate) struct Secret(String);

impl Secret {
    /// The secret itself.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn secret_is_redacted() {
        let secret: Secret = "s3cr3t".parse().unwrap_or_else(|e| match e {});
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        assert_eq!(secret.expose(), "s3cr3t");
    }
}
