//! Validation of an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 8707 §2,
//! OpenID Connect Core §3.1.2.1).
//!
//! First the client and the redirect URI: when either is missing or invalid the user sees an
//! error page and nothing is redirected (RFC 6749 §4.1.2.1). Then, reported at the redirect
//! URI with `state` and `iss`:
//!
//! | problem | error |
//! |---|---|
//! | `response_type` missing | `invalid_request` |
//! | `response_type` not `code` | `unsupported_response_type` |
//! | `response_mode` other than `query` | `invalid_request` |
//! | `request` / `request_uri` | `request_not_supported` / `request_uri_not_supported` |
//! | the client may not use the code grant | `unauthorized_client` |
//! | no `code_challenge` (PKCE is required) | `invalid_request` |
//! | `code_challenge_method` not `S256` (`plain`, or missing, which means `plain`) | `invalid_request` |
//! | a malformed S256 challenge | `invalid_request` |
//! | a malformed, unsupported or not-allowed scope | `invalid_scope` |
//! | an invalid resource, or more than one | `invalid_target` |
//! | `state` over 1 024 or `nonce` over 512 characters | `invalid_request` |
//! | `prompt=none` (there are no sessions to reuse) | `login_required` |
//!
//! Without `scope`, no scope is requested. Without `redirect_uri`, the client's only registered
//! redirect URI is used (RFC 6749 §3.1.2.3); a client with several must send one.

use super::super::authorization_response::ErrorRedirect;
use super::super::form::Form;
use crate::authorization_code::is_s256_challenge;
use crate::authorization_server::{AuthorizationServer, check_resource};
use crate::clients::{GrantType, LookupError};
use crate::interaction::AuthorizationRequest;
use crate::scope;

/// Longest `state` accepted.
const MAX_STATE: usize = 1024;
/// Longest `nonce` accepted.
const MAX_NONCE: usize = 512;

/// Why an authorization request is refused.
#[derive(Debug)]
pub(crate) enum Rejection {
    /// The client or redirect URI cannot be trusted: tell the user, do not redirect.
    Page(String),
    /// Tell the client, at its redirect URI.
    Redirect(ErrorRedirect),
}

/// Validates the parameters of an authorization request.
pub(crate) async fn validate(
    server: &AuthorizationServer,
    params: &Form,
) -> Result<AuthorizationRequest, Rejection> {
    let client_id = params
        .get("client_id")
        .ok_or_else(|| Rejection::Page("The request has no client_id.".into()))?;
    let client = server
        .clients
        .resolve(server.now(), client_id)
        .await
        .map_err(|error| {
            Rejection::Page(match error {
                LookupError::Unknown => format!("The client `{client_id}` is not registered."),
                LookupError::MetadataDocument(reason) => {
                    format!("The client `{client_id}` cannot be used: {reason}.")
                }
            })
        })?;
    let (redirect_uri, redirect_uri_sent) = match params.get("redirect_uri") {
        Some(uri) if client.allows_redirect_uri(uri) => (uri.to_owned(), true),
        Some(uri) => {
            return Err(Rejection::Page(format!(
                "The redirect URI `{uri}` is not registered for this client (redirect URIs must \
                 match exactly)."
            )));
        }
        None => match client.redirect_uris() {
            [only] => (only.clone(), false),
            [] => {
                return Err(Rejection::Page(
                    "The client has no registered redirect URI.".into(),
                ));
            }
            _ => {
                return Err(Rejection::Page(
                    "The request has no redirect_uri, and the client has several.".into(),
                ));
            }
        },
    };
    let state = params.get("state").map(str::to_owned);
    let fail = |error: &'static str, description: &str| {
        Rejection::Redirect(ErrorRedirect {
            redirect_uri: redirect_uri.clone(),
            state: state.clone().filter(|s| s.len() <= MAX_STATE),
            error,
            description: description.to_owned(),
        })
    };

    match params.get("response_type") {
        None => return Err(fail("invalid_request", "response_type is missing")),
        Some("code") => {}
        Some(_) => {
            return Err(fail(
                "unsupported_response_type",
                "only the code response type is supported",
            ));
        }
    }
    if params.get("response_mode").is_some_and(|m| m != "query") {
        return Err(fail(
            "invalid_request",
            "only response_mode query is supported",
        ));
    }
    if params.get("request").is_some() {
        return Err(fail(
            "request_not_supported",
            "request objects are not supported",
        ));
    }
    if params.get("request_uri").is_some() {
        return Err(fail(
            "request_uri_not_supported",
            "request_uri is not supported",
        ));
    }
    if !client.allows_grant(GrantType::AuthorizationCode) {
        return Err(fail(
            "unauthorized_client",
            "the client may not use the authorization_code grant",
        ));
    }
    if state.as_ref().is_some_and(|s| s.len() > MAX_STATE) {
        return Err(fail("invalid_request", "state is too long"));
    }

    let Some(code_challenge) = params.get("code_challenge") else {
        return Err(fail(
            "invalid_request",
            "code_challenge is required: PKCE with S256 (RFC 7636, OAuth 2.1)",
        ));
    };
    if params.get("code_challenge_method") != Some("S256") {
        return Err(fail(
            "invalid_request",
            "code_challenge_method must be S256; plain (the default when absent) is not supported",
        ));
    }
    if !is_s256_challenge(code_challenge) {
        return Err(fail(
            "invalid_request",
            "code_challenge is not a base64url SHA-256 digest (RFC 7636 section 4.2)",
        ));
    }

    let scopes = match params.get("scope") {
        Some(value) => scope::parse(value).map_err(|reason| fail("invalid_scope", reason))?,
        None => Vec::new(),
    };
    if let Some(bad) = scopes.iter().find(|s| !server.scopes_supported.contains(s)) {
        return Err(fail(
            "invalid_scope",
            &format!("the scope `{bad}` is not supported"),
        ));
    }
    if let Some(bad) = scopes.iter().find(|s| !client.allows_scope(s)) {
        return Err(fail(
            "invalid_scope",
            &format!("the scope `{bad}` is not allowed for this client"),
        ));
    }

    let mut resources = params.all("resource");
    let resource = resources.next().map(str::to_owned);
    if resources.next().is_some() {
        return Err(fail(
            "invalid_target",
            "only one resource per authorization request is supported",
        ));
    }
    if let Some(resource) = &resource {
        check_resource(resource).map_err(|e| fail("invalid_target", &e.to_string()))?;
    }

    let nonce = params.get("nonce").map(str::to_owned);
    if nonce.as_ref().is_some_and(|n| n.len() > MAX_NONCE) {
        return Err(fail("invalid_request", "nonce is too long"));
    }
    if params
        .get("prompt")
        .is_some_and(|p| p.split(' ').any(|v| v == "none"))
    {
        return Err(fail(
            "login_required",
            "prompt=none cannot be honoured: the user must sign in",
        ));
    }

    Ok(AuthorizationRequest {
        client,
        redirect_uri,
        redirect_uri_sent,
        state,
        code_challenge: code_challenge.to_owned(),
        scopes,
        resource,
        nonce,
    })
}
