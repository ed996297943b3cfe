//! `mcp-auth decode <token>`: the header and claims of a JWT (RFC 7519), marked UNVERIFIED;
//! with `--issuer`, verified by `mcp_auth`'s [`JwtVerifier`] like an MCP server would.

use std::io::Read as _;

use mcp_auth::VerifyErrorKind;
use mcp_auth::{AuthInfo, AuthServer, BearerToken, JwtVerifier, TokenVerifier, VerifyError};

use crate::cli::DecodeArgs;
use crate::exit::{Exit, Failure};
use crate::outbound;
use crate::style::Style;

mod jwt;
mod render;

pub(crate) use jwt::Decoded;

/// The longest token accepted (the verifier's own cap is 16 KiB).
const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// The resource given to the verifier when `--resource` is absent (the audience is then not
/// checked, and the output says so).
const UNCHECKED_RESOURCE: &str = "http://127.0.0.1/mcp-auth-decode";

/// What verification gave.
pub(crate) struct Verification {
    pub(crate) issuer: String,
    pub(crate) resource: Option<String>,
    pub(crate) result: Result<AuthInfo, VerifyError>,
}

/// Runs the command.
pub(crate) async fn run(args: DecodeArgs, out: &Style) -> Result<Exit, Failure> {
    let token = read_token(&args.token)?;
    let decoded = Decoded::parse(&token)?;
    let verification = match &args.issuer {
        None => None,
        Some(issuer) => Some(
            verify(
                &token,
                issuer,
                args.resource.as_deref(),
                args.server_type.map(Into::into),
            )
            .await?,
        ),
    };
    if args.json {
        let json = render::json(&decoded, verification.as_ref());
        let text = serde_json::to_string_pretty(&json)
            .map_err(|e| Failure::usage(format!("cannot write JSON: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", render::text(&decoded, verification.as_ref(), *out));
    }
    Ok(match verification.map(|v| v.result) {
        None | Some(Ok(_)) => Exit::Ok,
        Some(Err(error)) if error.kind() == VerifyErrorKind::Unavailable => Exit::Unavailable,
        Some(Err(_)) => Exit::Failed,
    })
}

/// The token from the argument or stdin (`-`), trimmed, without a `Bearer ` prefix.
fn read_token(arg: &str) -> Result<String, Failure> {
    let raw = if arg == "-" {
        let mut buffer = Vec::new();
        std::io::stdin()
            .take(MAX_TOKEN_BYTES as u64 + 1)
            .read_to_end(&mut buffer)
            .map_err(|e| Failure::usage(format!("cannot read the token from stdin: {e}")))?;
        String::from_utf8(buffer)
            .map_err(|_| Failure::usage("the token read from stdin is not UTF-8 text"))?
    } else {
        arg.to_owned()
    };
    if raw.len() > MAX_TOKEN_BYTES {
        return Err(Failure::usage(format!(
            "the token is longer than {MAX_TOKEN_BYTES} bytes"
        )));
    }
    let trimmed = raw.trim();
    let token = match trimmed.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => trimmed.get(7..).unwrap_or(""),
        _ => trimmed,
    }
    .trim();
    if token.is_empty() || token.eq_ignore_ascii_case("bearer") {
        return Err(Failure::usage("no token given"));
    }
    Ok(token.to_owned())
}

/// Verifies `token` as an MCP server trusting `issuer` would.
async fn verify(
    token: &str,
    issuer: &str,
    resource: Option<&str>,
    server_type: Option<mcp_auth::AuthServerType>,
) -> Result<Verification, Failure> {
    let http = outbound::client_for(issuer);
    let server = AuthServer::lazy(issuer, server_type)
        .map_err(|e| Failure::usage(format!("--issuer: {e}")))?
        .with_http_client(http.clone());
    let verifier = JwtVerifier::new(resource.unwrap_or(UNCHECKED_RESOURCE))
        .map_err(|e| Failure::usage(format!("--resource: {e}")))?
        .with_http_client(http)
        .with_issuer(server)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let verifier = if resource.is_some() {
        verifier
    } else {
        verifier.insecure_skip_audience_check()
    };
    let result = verifier.verify(&BearerToken::new(token)).await;
    Ok(Verification {
        issuer: issuer.to_owned(),
        resource: resource.map(str::to_owned),
        result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_prefix_and_blanks_are_ignored() {
        assert_eq!(
            read_token("  Bearer a.b.c \n").ok().as_deref(),
            Some("a.b.c")
        );
        assert_eq!(read_token("bearer a.b.c").ok().as_deref(), Some("a.b.c"));
        assert!(read_token("   ").is_err());
        assert!(read_token("Bearer ").is_err());
    }
}
