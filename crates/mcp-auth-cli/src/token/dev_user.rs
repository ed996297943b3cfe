//! `mcp-auth token --dev-user NAME`: a user's access token from the development server, by
//! its authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636): this command builds the
//! authorization request, [`mcp_auth_dev::authorize_headless`] signs in as NAME on the login
//! page and approves the consent page, the redirect (never followed to the client) gives the
//! code, checked against `state` and the RFC 9207 `iss`, and the code is exchanged.

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mcp_auth_dev::{AuthorizationRedirect, DevError, authorize_headless};
use serde_json::{Map, Value};
use url::Url;

use super::{ClientAuth, discover, request_token, token_endpoint};
use crate::cli::TokenArgs;
use crate::exit::{Exit, Failure};
use crate::outbound::{self, printable};

/// The issuer of `mcp-auth dev-server` with its default `--bind`.
const DEFAULT_ISSUER: &str = "http://127.0.0.1:3000";
/// The development server's public client.
const DEFAULT_CLIENT: &str = "mcp-inspector";
/// A redirect URI registered for the default clients (it is never opened).
const DEFAULT_REDIRECT_URI: &str = "http://localhost:6274/oauth/callback";

/// Runs the flow and the code exchange.
pub(crate) async fn token(args: &TokenArgs, user: &str) -> Result<Map<String, Value>, Failure> {
    let issuer = args.issuer.as_deref().unwrap_or(DEFAULT_ISSUER);
    let http = outbound::client_for(issuer);
    let metadata = discover(issuer, args, &http).await.map_err(|f| {
        if f.exit == Exit::Unavailable {
            f.with_hint(format!(
                "is the development server running? Start it with `mcp-auth dev-server` \
                 (issuer {DEFAULT_ISSUER}) or pass --issuer"
            ))
        } else {
            f
        }
    })?;
    let authorize = metadata
        .authorization_endpoint
        .clone()
        .ok_or_else(|| Failure::failed("the metadata has no authorization_endpoint"))?;
    let token_url = match &args.token_endpoint {
        Some(endpoint) => endpoint.clone(),
        None => token_endpoint(&metadata)?,
    };
    let client_id = args.client_id.as_deref().unwrap_or(DEFAULT_CLIENT);
    // A secret only for a client named explicitly: the default client is public.
    let secret = args
        .client_id
        .as_ref()
        .and(args.client_secret.as_ref())
        .map(|s| s.expose());
    let redirect_uri = args.redirect_uri.as_deref().unwrap_or(DEFAULT_REDIRECT_URI);

    let verifier = random_base64url(32)?;
    let challenge = URL_SAFE_NO_PAD.encode(digest(&SHA256, verifier.as_bytes()));
    let state = random_base64url(16)?;
    let mut request = Url::parse(&authorize).map_err(|_| {
        Failure::failed(format!(
            "invalid authorization_endpoint `{}`",
            printable(&authorize, 200)
        ))
    })?;
    {
        let mut query = request.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", &state)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        if let Some(scope) = &args.scope {
            query.append_pair("scope", scope);
        }
        if let Some(resource) = &args.resource {
            query.append_pair("resource", resource);
        }
    }
    // The sign-in goes only where the (validated) metadata points: the issuer's own server.
    http.check_url(request.as_str())
        .map_err(|e| Failure::fetch("the authorization endpoint", &e))?;
    let redirect = authorize_headless(request.as_str(), user)
        .await
        .map_err(|e| headless_failure(&e, user))?;
    let code = read_code(&redirect, &state, &metadata.issuer)?;

    let mut params = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier.as_str()),
    ];
    if let Some(resource) = &args.resource {
        params.push(("resource", resource));
    }
    let client = ClientAuth {
        client_id,
        secret,
        method: args.auth,
    };
    request_token(&http, &token_url, &params, &client).await
}

fn random_base64url(bytes: usize) -> Result<String, Failure> {
    let mut buffer = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut buffer)
        .map_err(|_| Failure::usage("the system random number generator failed"))?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

/// The sign-in could not be completed.
fn headless_failure(error: &DevError, user: &str) -> Failure {
    let message = printable(&error.to_string(), 500);
    if message.contains("is not a user") {
        Failure::usage(format!(
            "no test user `{}` on the development server's login page",
            printable(user, 100)
        ))
        .with_hint("the users are listed by `mcp-auth dev-server` when it starts")
    } else {
        Failure::failed(format!(
            "signing in as `{}` failed: {message}",
            printable(user, 100)
        ))
        .with_hint(
            "--dev-user works with `mcp-auth dev-server` (or mcp_auth_dev) only; check \
                 --client-id and --redirect-uri",
        )
    }
}

/// The code from the authorization response (RFC 6749 §4.1.2), with `state` and the RFC 9207
/// `iss` checked.
fn read_code(
    redirect: &AuthorizationRedirect,
    state: &str,
    issuer: &str,
) -> Result<String, Failure> {
    if let Some(error) = &redirect.error {
        let description = redirect.error_description.as_deref().unwrap_or("");
        return Err(Failure::failed(format!(
            "the authorization server refused: {}{}{}",
            printable(error, 100),
            if description.is_empty() { "" } else { ": " },
            printable(description, 300)
        )));
    }
    if redirect.state.as_deref() != Some(state) {
        return Err(Failure::failed(
            "the authorization response's `state` does not match the request",
        ));
    }
    if let Some(iss) = &redirect.iss
        && iss != issuer
    {
        return Err(Failure::failed(format!(
            "the authorization response's `iss` is `{}`, not `{issuer}` (RFC 9207)",
            printable(iss, 200)
        )));
    }
    redirect
        .code
        .clone()
        .ok_or_else(|| Failure::failed("the authorization response has no `code`"))
}
